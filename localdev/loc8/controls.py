"""/_emulator/*: JSON controls for tests and local runs (never part of Loc8 core's API).

Not authenticated, never counted, never faulted. Invoices are created and edited here
(as a Loc8 user would in the web app), since the service API only reads them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from localdev.loc8.api import json_response
from localdev.loc8.context import services
from localdev.loc8.problems import bad_request
from localdev.loc8.schemas import InvoiceIn, parse_body
from localdev.loc8.seed import load_demo
from localdev.loc8.serialize import invoice_json, timestamp
from localdev.xero.faults import Fault

blueprint = Blueprint("loc8_controls", __name__, url_prefix="/_emulator")


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("expected a JSON object")
    return body


def _clock_json() -> dict[str, Any]:
    clock = services().clock
    return {"now": timestamp(clock.now()), "offset_seconds": clock.offset_seconds}


@blueprint.post("/reset")
def reset() -> Response:
    services().reset()
    return json_response({"reset": True})


@blueprint.get("/clock")
def get_clock() -> Response:
    return json_response(_clock_json())


@blueprint.post("/clock")
def advance_clock() -> Response:
    seconds = _json_object().get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise bad_request("advance_seconds must be a non-negative number", "advance_seconds")
    services().clock.advance(seconds)
    return json_response(_clock_json())


@blueprint.get("/tenants")
def list_tenants() -> Response:
    state = services().state
    with state.lock:
        return json_response(
            [{"tenant_id": t.tenant_id, **t.counts()} for t in state.tenants.values()]
        )


@blueprint.post("/tenants")
def add_tenant() -> Response:
    """{"tenant_id": "acme", "seed": "demo" | null}: a new (or replaced) tenant."""
    body = _json_object()
    tenant_id = body.get("tenant_id")
    seed = body.get("seed")
    if not isinstance(tenant_id, str) or not tenant_id.strip() or "/" in tenant_id:
        raise bad_request("tenant_id must be a non-empty string without '/'", "tenant_id")
    if seed not in (None, "demo"):
        raise bad_request("seed must be 'demo' or null", "seed")
    state = services().state
    with state.lock:
        tenant = state.add_tenant(tenant_id)
        if seed == "demo":
            load_demo(tenant)
        return json_response({"tenant_id": tenant.tenant_id, **tenant.counts()}, 201)


@blueprint.get("/tenants/<tenant_id>")
def get_tenant(tenant_id: str) -> Response:
    return json_response(services().state.tenant(tenant_id).snapshot())


@blueprint.post("/tenants/<tenant_id>/invoices")
def add_invoice(tenant_id: str) -> Response:
    draft = parse_body(InvoiceIn, request.get_data())
    invoice = services().state.tenant(tenant_id).add_invoice(draft)
    return json_response(invoice_json(invoice), 201)


@blueprint.put("/tenants/<tenant_id>/invoices/<invoice_id>")
def edit_invoice(tenant_id: str, invoice_id: str) -> Response:
    draft = parse_body(InvoiceIn, request.get_data())
    invoice = services().state.tenant(tenant_id).edit_invoice(invoice_id, draft)
    return json_response(invoice_json(invoice))


@blueprint.get("/calls")
def get_calls() -> Response:
    return json_response(dict(services().calls.snapshot()))


@blueprint.get("/faults")
def list_faults() -> Response:
    return json_response([fault.to_json() for fault in services().faults.list()])


@blueprint.post("/faults")
def add_fault() -> Response:
    try:
        fault = services().faults.add_fault(Fault.from_json(_json_object()))
    except ValueError as error:
        raise bad_request(str(error)) from error
    return json_response(fault.to_json(), 201)


@blueprint.delete("/faults")
def clear_faults() -> Response:
    services().faults.clear()
    return Response(status=204)
