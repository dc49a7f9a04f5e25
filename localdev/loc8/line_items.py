"""/v1/tenants/{tenant_id}/line-items"""

from __future__ import annotations

from flask import Blueprint, Response, request

from localdev.loc8.api import idempotent, json_response, list_page, tenant
from localdev.loc8.schemas import LineItemIn, LineItemUpdateIn, parse_body
from localdev.loc8.serialize import line_item_json

blueprint = Blueprint("line_items", __name__)


@blueprint.get("/line-items")
def list_line_items(tenant_id: str) -> Response:
    return list_page("line-items", tenant(tenant_id).line_items.values(), line_item_json)


@blueprint.post("/line-items")
@idempotent
def create_line_item(tenant_id: str) -> Response:
    fields = parse_body(LineItemIn, request.get_data())
    return json_response(line_item_json(tenant(tenant_id).create_line_item(fields)), 201)


@blueprint.get("/line-items/<line_item_id>")
def get_line_item(tenant_id: str, line_item_id: str) -> Response:
    return json_response(line_item_json(tenant(tenant_id).line_item(line_item_id)))


@blueprint.put("/line-items/<line_item_id>")
@idempotent
def update_line_item(tenant_id: str, line_item_id: str) -> Response:
    update = parse_body(LineItemUpdateIn, request.get_data())
    fields = LineItemIn.model_validate(update.model_dump(mode="json", exclude={"version"}))
    item = tenant(tenant_id).update_line_item(line_item_id, fields, update.version)
    return json_response(line_item_json(item))
