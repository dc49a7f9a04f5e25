"""/v1/tenants/{tenant_id}/tax-types"""

from __future__ import annotations

from flask import Blueprint, Response, request

from localdev.loc8.api import idempotent, json_response, tenant
from localdev.loc8.schemas import TaxTypesReplaceIn, parse_body
from localdev.loc8.serialize import tax_type_json
from localdev.loc8.tenant import TenantState

blueprint = Blueprint("tax_types", __name__)


def _listing(owner: TenantState) -> Response:
    with owner.lock:
        return json_response({"items": [tax_type_json(t) for t in owner.sorted_tax_types()]})


@blueprint.get("/tax-types")
def list_tax_types(tenant_id: str) -> Response:
    return _listing(tenant(tenant_id))


@blueprint.put("/tax-types")
@idempotent
def replace_tax_types(tenant_id: str) -> Response:
    body = parse_body(TaxTypesReplaceIn, request.get_data())
    owner = tenant(tenant_id)
    with owner.lock:
        owner.replace_tax_types(body.tax_types)
        return _listing(owner)
