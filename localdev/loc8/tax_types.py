"""/v1/tenants/{tenant_id}/tax-types"""

from __future__ import annotations

from flask import Blueprint, Response, request

from localdev.loc8.api import idempotent, json_response, tenant
from localdev.loc8.schemas import TaxTypeChangeIn, TaxTypeIn, parse_body
from localdev.loc8.serialize import tax_type_json

blueprint = Blueprint("tax_types", __name__)


@blueprint.get("/tax-types")
def list_tax_types(tenant_id: str) -> Response:
    owner = tenant(tenant_id)
    with owner.lock:
        return json_response({"items": [tax_type_json(t) for t in owner.sorted_tax_types()]})


@blueprint.post("/tax-types")
@idempotent
def create_tax_type(tenant_id: str) -> Response:
    fields = parse_body(TaxTypeIn, request.get_data())
    return json_response(tax_type_json(tenant(tenant_id).create_tax_type(fields)), 201)


@blueprint.patch("/tax-types/<tax_type_id>")
@idempotent
def update_tax_type(tenant_id: str, tax_type_id: str) -> Response:
    change = parse_body(TaxTypeChangeIn, request.get_data())
    return json_response(tax_type_json(tenant(tenant_id).update_tax_type(tax_type_id, change)))
