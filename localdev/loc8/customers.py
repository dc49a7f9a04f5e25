"""/v1/tenants/{tenant_id}/customers"""

from __future__ import annotations

from flask import Blueprint, Response, request

from localdev.loc8.api import idempotent, json_response, list_page, tenant
from localdev.loc8.schemas import CustomerIn, CustomerUpdateIn, parse_body
from localdev.loc8.serialize import customer_json

blueprint = Blueprint("customers", __name__)


@blueprint.get("/customers")
def list_customers(tenant_id: str) -> Response:
    return list_page("customers", tenant(tenant_id).customers.values(), customer_json)


@blueprint.post("/customers")
@idempotent
def create_customer(tenant_id: str) -> Response:
    fields = parse_body(CustomerIn, request.get_data())
    return json_response(customer_json(tenant(tenant_id).create_customer(fields)), 201)


@blueprint.get("/customers/<customer_id>")
def get_customer(tenant_id: str, customer_id: str) -> Response:
    return json_response(customer_json(tenant(tenant_id).customer(customer_id)))


@blueprint.put("/customers/<customer_id>")
@idempotent
def update_customer(tenant_id: str, customer_id: str) -> Response:
    update = parse_body(CustomerUpdateIn, request.get_data())
    fields = CustomerIn.model_validate(update.model_dump(mode="json", exclude={"version"}))
    customer = tenant(tenant_id).update_customer(customer_id, fields, update.version)
    return json_response(customer_json(customer))
