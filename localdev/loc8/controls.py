"""/_emulator/*: JSON controls for tests and local runs (never part of Loc8 core's API).

Not authenticated, never counted, never faulted. Invoices are created and edited here
(as a Loc8 user would in the web app), since the service API only reads them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from localdev.emukit import control_blueprint, json_object
from localdev.loc8.api import json_response
from localdev.loc8.context import services
from localdev.loc8.problems import bad_request
from localdev.loc8.schemas import InvoiceIn, PaymentIn, parse_body
from localdev.loc8.seed import load_demo
from localdev.loc8.serialize import invoice_json, payment_json

# Reset, clock, calls and faults come from the kit; Loc8's tenants and invoices follow.
blueprint = control_blueprint("loc8_controls", __name__)


def _json_object() -> dict[str, Any]:
    body = json_object()
    if body is None:
        raise bad_request("expected a JSON object")
    return body


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


@blueprint.post("/tenants/<tenant_id>/invoices/<invoice_id>/payments")
def take_payment(tenant_id: str, invoice_id: str) -> Response:
    """A Loc8 user records a payment taken on site: {"external_id", "amount", "paid_on",
    "reference"} (app "loc8", as Loc8 records its own)."""
    body = _json_object()
    draft = parse_body(PaymentIn, json.dumps({**body, "app": "loc8"}).encode())
    payment, _created = services().state.tenant(tenant_id).record_payment(invoice_id, draft)
    return json_response(payment_json(payment), 201)
