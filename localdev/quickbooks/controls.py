"""/_emulator/*: JSON controls for tests and local runs (never part of real QuickBooks).

Reset, clock, calls and faults come from the kit; the identity side adds companies (the
choice the consent page offers), token expiry, disconnecting in QuickBooks and a
read-back of grants. The accounting side registers its own controls (seeding, records).
"""

from __future__ import annotations

from flask import Response, jsonify

from localdev.emukit import control_blueprint, json_object
from localdev.quickbooks.context import services
from localdev.quickbooks.serialize import company_json, snapshot

blueprint = control_blueprint("quickbooks_controls", __name__)


def _bad_request(message: str, field: str | None = None) -> Response:
    return services().kit.errors.refused(message, field)


@blueprint.get("/companies")
def list_companies() -> Response:
    return jsonify([company_json(company) for company in services().companies.list()])


@blueprint.post("/companies")
def add_company() -> Response:
    """{"name": ..., "country": "AU", "realmId": optional digits, "chart": true}."""
    body = json_object()
    if body is None:
        return _bad_request("expected a JSON object")
    name = body.get("name")
    country = body.get("country", "AU")
    realm_id = body.get("realmId")
    chart = body.get("chart", True)
    if not isinstance(name, str) or not name.strip():
        return _bad_request("name is required", "name")
    if not isinstance(country, str):
        return _bad_request("country must be a string", "country")
    if realm_id is not None and not isinstance(realm_id, str):
        return _bad_request("realmId must be a string of digits", "realmId")
    if not isinstance(chart, bool):
        return _bad_request("chart must be true or false", "chart")
    try:
        company = services().companies.add(name, country, realm_id=realm_id, chart=chart)
    except ValueError as error:
        return _bad_request(str(error))
    response = jsonify(company_json(company.info))
    response.status_code = 201
    return response


@blueprint.post("/companies/<realm_id>/disconnect")
def disconnect_in_quickbooks(realm_id: str) -> Response:
    """The user disconnects the app from this company in QuickBooks: its tokens die."""
    if services().oauth.disconnect_in_quickbooks(realm_id) == 0:
        response = jsonify({"error": f"the app is not connected to {realm_id}"})
        response.status_code = 404
        return response
    return Response(status=204)


@blueprint.post("/tokens/expire")
def expire_access_tokens() -> Response:
    """Expire every live access token now ({"realmId": ...} for one company's only)."""
    body = json_object() or {}
    realm_id = body.get("realmId")
    if realm_id is not None and not isinstance(realm_id, str):
        return _bad_request("realmId must be a string", "realmId")
    return jsonify({"expired": services().oauth.expire_access_tokens(realm_id)})


@blueprint.get("/state")
def get_state() -> Response:
    svc = services()
    body = snapshot(svc.state)
    body["companies"] = [company_json(company) for company in svc.companies.list()]
    body["clock"] = svc.kit.clock_json()
    body["faults"] = [fault.to_json() for fault in svc.kit.faults.list()]
    return jsonify(body)
