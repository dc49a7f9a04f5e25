"""/v1/tenants/{tenant_id}/invoices: read, and what the accounting app reports back."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from localdev.loc8.api import idempotent, json_response, list_page, tenant
from localdev.loc8.problems import invalid
from localdev.loc8.schemas import ExternalRefWriteIn, PaymentIn, StatusIn, parse_body
from localdev.loc8.serialize import invoice_json, payment_json

blueprint = Blueprint("invoices", __name__)
_APP_NAME = re.compile(r"[a-z][a-z0-9-]{1,31}")


@blueprint.get("/invoices")
def list_invoices(tenant_id: str) -> Response:
    return list_page("invoices", tenant(tenant_id).invoices.values(), invoice_json)


@blueprint.get("/invoices/<invoice_id>")
def get_invoice(tenant_id: str, invoice_id: str) -> Response:
    return json_response(invoice_json(tenant(tenant_id).invoice(invoice_id)))


@blueprint.put("/invoices/<invoice_id>/external-refs/<app>")
@idempotent
def record_external_ref(tenant_id: str, invoice_id: str, app: str) -> Response:
    if not _APP_NAME.fullmatch(app):
        raise invalid([("app", "must be an app's short name such as 'xero'")])
    ref = parse_body(ExternalRefWriteIn, request.get_data())
    return json_response(invoice_json(tenant(tenant_id).set_external_ref(invoice_id, app, ref)))


@blueprint.post("/invoices/<invoice_id>/payments")
@idempotent
def record_payment(tenant_id: str, invoice_id: str) -> Response:
    draft = parse_body(PaymentIn, request.get_data())
    payment, created = tenant(tenant_id).record_payment(invoice_id, draft)
    return json_response(payment_json(payment), 201 if created else 200)


@blueprint.put("/invoices/<invoice_id>/status")
@idempotent
def set_status(tenant_id: str, invoice_id: str) -> Response:
    change = parse_body(StatusIn, request.get_data())
    invoice = tenant(tenant_id).set_status(invoice_id, change.status, change.version)
    return json_response(invoice_json(invoice))
