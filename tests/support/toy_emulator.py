"""The smallest emulator built on the kit, the way a new one (QuickBooks Online, MYOB)
would be: an app factory, its resources and its error bodies; everything else (clock,
call counts, faults, the /_emulator/ controls, serving) is the kit's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, jsonify

from localdev.emukit import Clock, EmulatorKit, KitServices, control_blueprint

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


@dataclass(frozen=True)
class ToyServices(KitServices):
    """The kit plus the toy's one resource."""

    notes: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.notes.clear()
        super().reset()


def create_app(services: ToyServices) -> Flask:
    app = Flask(__name__)
    services.attach(app)

    notes = Blueprint("notes", __name__, url_prefix="/notes")

    @notes.get("/<note_id>")
    def read_note(note_id: str) -> Response:
        return jsonify({"id": note_id})

    @notes.post("")
    def add_note() -> Response:
        services.notes.append("note")
        response = jsonify({"count": len(services.notes)})
        response.status_code = 201
        return response

    controls = control_blueprint("toy_controls", __name__)

    @controls.get("/notes")
    def count_notes() -> Response:
        return jsonify({"count": len(services.notes)})

    app.register_blueprint(notes)
    app.register_blueprint(controls)
    # Count first, then the service's own checks (none here), then faults.
    services.kit.count_calls(app)
    services.kit.inject_faults(app)
    return app


def toy_services(clock: Clock) -> ToyServices:
    def timestamp(moment: datetime) -> str:
        return moment.strftime("%Y%m%dT%H%M%S")

    return ToyServices(kit=EmulatorKit(ToyErrorBodies(), timestamp, clock=clock))
