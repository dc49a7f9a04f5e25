"""The smallest emulator built on the kit, the way a new one (QuickBooks Online, MYOB)
would be: an app factory, its resources and its error bodies; everything else (clock,
call counts, faults, the /_emulator/ controls, serving) is the kit's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, jsonify

from localdev.emukit import Clock, EmulatorKit, control_blueprint

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class ToyErrorBodies:
    """The toy service answers errors as {"fault": {"code", "message"}}."""

    json_type = "application/vnd.toy+json"

    def injected(self, status: int) -> Response:
        response = jsonify({"fault": {"code": status, "message": "toy says no"}})
        response.status_code = status
        return response

    def refused(self, message: str, field: str | None = None) -> Response:
        response = jsonify({"fault": {"code": 400, "message": message, "field": field}})
        response.status_code = 400
        return response


@dataclass
class Toy:
    kit: EmulatorKit
    app: Flask
    notes: list[str] = field(default_factory=list)
    resets: int = 0

    def reset(self) -> None:
        self.notes.clear()
        self.resets += 1
        self.kit.reset_shared()


def create_toy(clock: Clock) -> Toy:
    kit = EmulatorKit(
        ToyErrorBodies(), lambda moment: moment.strftime("%Y%m%dT%H%M%S"), clock=clock
    )
    toy = Toy(kit, Flask(__name__))
    kit.attach(toy.app, toy.reset)

    notes = Blueprint("notes", __name__, url_prefix="/notes")

    @notes.get("/<note_id>")
    def read_note(note_id: str) -> Response:
        return jsonify({"id": note_id})

    @notes.post("")
    def add_note() -> Response:
        toy.notes.append("note")
        response = jsonify({"count": len(toy.notes)})
        response.status_code = 201
        return response

    controls = control_blueprint("toy_controls", __name__)

    @controls.get("/notes")
    def count_notes() -> Response:
        return jsonify({"count": len(toy.notes)})

    toy.app.register_blueprint(notes)
    toy.app.register_blueprint(controls)
    kit.count_calls(toy.app)
    kit.inject_faults(toy.app)
    return toy
