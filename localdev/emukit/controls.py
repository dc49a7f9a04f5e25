"""The `/_emulator/` controls every emulator has: reset, clock, call counts, faults.

`control_blueprint` returns a blueprint holding these; the emulator adds its own
controls (tenants, seeding, limits...) to it. Controls are for tests and local runs:
never part of the emulated API, never counted, never faulted.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from localdev.emukit.calls import CONTROL_PREFIX
from localdev.emukit.faults import Fault
from localdev.emukit.kit import EmulatorKit, KitServices, current_services


def json_object() -> dict[str, Any] | None:
    """The request's JSON body if it is an object, else None."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _created(body: Any) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


def _kit() -> EmulatorKit:
    return current_services(KitServices).kit


def reset() -> Response:
    current_services(KitServices).reset()
    return jsonify({"reset": True})


def get_clock() -> Response:
    return jsonify(_kit().clock_json())


def advance_clock() -> Response:
    kit = _kit()
    body = json_object()
    if body is None:
        return kit.errors.refused("expected a JSON object")
    seconds = body.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        return kit.errors.refused(
            "advance_seconds must be a non-negative number", "advance_seconds"
        )
    kit.clock.advance(seconds)
    return jsonify(kit.clock_json())


def get_calls() -> Response:
    return jsonify(dict(_kit().calls.snapshot()))


def list_faults() -> Response:
    return jsonify([fault.to_json() for fault in _kit().faults.list()])


def add_fault() -> Response:
    kit = _kit()
    body = json_object()
    if body is None:
        return kit.errors.refused("expected a JSON object")
    try:
        fault = kit.faults.add_fault(Fault.from_json(body))
    except ValueError as error:
        return kit.errors.refused(str(error))
    return _created(fault.to_json())


def clear_faults() -> Response:
    _kit().faults.clear()
    return Response(status=204)


def control_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint at `/_emulator` with the shared controls; add the emulator's own."""
    blueprint = Blueprint(name, import_name, url_prefix=CONTROL_PREFIX)
    blueprint.post("/reset")(reset)
    blueprint.get("/clock")(get_clock)
    blueprint.post("/clock")(advance_clock)
    blueprint.get("/calls")(get_calls)
    blueprint.get("/faults")(list_faults)
    blueprint.post("/faults")(add_fault)
    blueprint.delete("/faults")(clear_faults)
    return blueprint
