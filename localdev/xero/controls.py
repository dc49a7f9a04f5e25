"""/_emulator/*: JSON controls for tests and local runs (never part of real Xero)."""

from __future__ import annotations

from flask import Response, jsonify

from localdev.emukit import control_blueprint, json_object
from localdev.xero.accounting import writes
from localdev.xero.accounting.dates import to_millis
from localdev.xero.accounting.problems import AccountingError
from localdev.xero.accounting.readback import organisation_state
from localdev.xero.accounting.records import WriteContext
from localdev.xero.accounting.tenancy import books_of, set_up
from localdev.xero.context import services
from localdev.xero.serialize import organisation_json, snapshot

# Reset, clock, calls and faults come from the kit; Xero's organisations, seeding and
# rate limits follow.
blueprint = control_blueprint("xero_controls", __name__)


def _bad_request(message: str) -> Response:
    return services().kit.errors.refused(message)


def _not_found(tenant_id: str) -> Response:
    response = jsonify({"error": f"no organisation {tenant_id}"})
    response.status_code = 404
    return response


@blueprint.get("/organisations")
def list_organisations() -> Response:
    state = services().state
    with state.lock:
        return jsonify([organisation_json(o) for o in state.organisations.values()])


@blueprint.post("/organisations")
def create_organisation() -> Response:
    body = json_object()
    name = None if body is None else body.get("name")
    tenant_id = None if body is None else body.get("tenantId")
    tenant_type = "ORGANISATION" if body is None else body.get("tenantType", "ORGANISATION")
    chart = True if body is None else body.get("chart", True)
    if not isinstance(chart, bool):
        return _bad_request("chart must be true or false")
    if not isinstance(name, str) or not name.strip():
        return _bad_request("name is required")
    if tenant_id is not None and not isinstance(tenant_id, str):
        return _bad_request("tenantId must be a string")
    if not isinstance(tenant_type, str) or not tenant_type:
        return _bad_request("tenantType must be a string")
    try:
        organisation = services().state.add_organisation(
            name, tenant_id=tenant_id, tenant_type=tenant_type
        )
    except ValueError as error:
        return _bad_request(str(error))
    set_up(services().state, services().clock, organisation, chart=chart)
    response = jsonify(organisation_json(organisation))
    response.status_code = 201
    return response


@blueprint.get("/organisations/<tenant_id>/state")
def organisation_accounting_state(tenant_id: str) -> Response:
    svc = services()
    organisation = svc.state.organisation(tenant_id)
    if organisation is None:
        return _not_found(tenant_id)
    books = books_of(svc.state, svc.clock, organisation)
    return jsonify(organisation_state(books, svc.clock.now().date()))


@blueprint.post("/organisations/<tenant_id>/seed")
def seed_organisation(tenant_id: str) -> Response:
    """Bulk-create records: {"Contacts": [...], "Invoices": [...], ...} -> new IDs."""
    svc = services()
    organisation = svc.state.organisation(tenant_id)
    if organisation is None:
        return _not_found(tenant_id)
    body = json_object()
    if body is None:
        return _bad_request('expected an object like {"Contacts": [...]}')
    books = books_of(svc.state, svc.clock, organisation)
    ctx = WriteContext(
        now=to_millis(svc.clock.now()), client_id=svc.state.registered_app.client_id, mode="create"
    )
    try:
        created = writes.seed(books, body, ctx)
    except (ValueError, AccountingError) as error:
        return _bad_request(str(error))
    response = jsonify(created)
    response.status_code = 201
    return response


@blueprint.post("/organisations/<tenant_id>/disconnect")
def disconnect_in_xero(tenant_id: str) -> Response:
    """The user disconnects the app from this organisation in Xero; tokens stay valid."""
    if not services().oauth.disconnect_in_xero(tenant_id):
        response = jsonify({"error": f"the app is not connected to {tenant_id}"})
        response.status_code = 404
        return response
    return Response(status=204)


@blueprint.get("/limits")
def get_limits() -> Response:
    return jsonify(services().limits.usage())


@blueprint.post("/limits")
def set_limits() -> Response:
    """Change any of concurrent, per_minute, per_day, app_per_minute (reset restores them)."""
    body = json_object()
    if body is None:
        return _bad_request("expected a JSON object")
    try:
        services().limits.configure(**body)
    except (TypeError, ValueError) as error:
        return _bad_request(str(error))
    return jsonify(services().limits.usage())


@blueprint.get("/state")
def get_state() -> Response:
    body = snapshot(services().state)
    body["clock"] = services().kit.clock_json()
    body["faults"] = [fault.to_json() for fault in services().kit.faults.list()]
    return jsonify(body)
