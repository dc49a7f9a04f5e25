"""The accounting side's test controls under /_emulator (never counted, never faulted).

- `POST /_emulator/companies/{realmId}/seed` `{"customers": 10000}` and/or
  `{"Customer": [...], "Item": [...], "Invoice": [...], "Payment": [...]}`: create
  records through the API's rules without HTTP or limits; answers the new Ids.
- `GET /_emulator/companies/{realmId}/records`: the company's books in the API's shapes
  (inactive, voided and deleted records included).
- `GET /_emulator/limits`, `POST /_emulator/limits {"per_minute": 5, ...}`: the throttles
  and their use, or change them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify

from localdev.emukit import json_object
from localdev.quickbooks.accounting.companies import Company
from localdev.quickbooks.accounting.demo import seed_customers, seed_records
from localdev.quickbooks.accounting.faults import QuickBooksFault
from localdev.quickbooks.context import services

blueprint = Blueprint("quickbooks_accounting_controls", __name__, url_prefix="/_emulator")
SEEDABLE = ("Customer", "Item", "Account", "Invoice", "Payment")


def _refused(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _company(realm_id: str) -> Company | None:
    return services().companies.company(realm_id)


def records_of(company: Company) -> dict[str, Any]:
    """The company's books, copied under its lock (writes change records in place)."""
    books = company.books
    with books.lock:
        return json.loads(  # type: ignore[no-any-return]
            json.dumps(
                {
                    "realmId": company.realm_id,
                    "records": {name: list(t.values()) for name, t in books.tables.items()},
                    "deleted": {name: list(t.values()) for name, t in books.deleted.items()},
                }
            )
        )


@blueprint.post("/companies/<realm_id>/seed")
def seed(realm_id: str) -> Response:
    company = _company(realm_id)
    if company is None:
        return _refused(f"no company {realm_id}", 404)
    body = json_object()
    if body is None:
        return _refused("send a JSON object")
    unknown = set(body) - {"customers", *SEEDABLE}
    if unknown:
        return _refused(f"unknown keys: {', '.join(sorted(unknown))}")
    now = services().clock.now()
    made: dict[str, list[str]] = {}
    try:
        count = body.get("customers", 0)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            return _refused("customers is a whole number of customers to make")
        if count:
            made["customers"] = seed_customers(company, count, now)
        for entity in SEEDABLE:
            if entity not in body:
                continue
            bodies = body[entity]
            if not isinstance(bodies, list) or not all(isinstance(b, dict) for b in bodies):
                return _refused(f"{entity} is a list of {entity} bodies")
            made[entity] = seed_records(company, entity, bodies, now)
    except QuickBooksFault as fault:
        return _refused(str(fault))
    response = jsonify(made)
    response.status_code = 201
    return response


@blueprint.get("/companies/<realm_id>/records")
def records(realm_id: str) -> Response:
    company = _company(realm_id)
    if company is None:
        return _refused(f"no company {realm_id}", 404)
    return jsonify(records_of(company))


@blueprint.get("/limits")
def get_limits() -> Response:
    return jsonify(services().limits.usage())


@blueprint.post("/limits")
def set_limits() -> Response:
    body = json_object()
    if body is None:
        return _refused("send a JSON object of limits")
    try:
        limits = services().limits.configure(**body)
    except (TypeError, ValueError) as error:
        return _refused(str(error))
    return jsonify(limits.to_json())
