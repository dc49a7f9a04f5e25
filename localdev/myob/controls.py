"""The MYOB emulator's own `/_emulator/` controls, beside the kit's reset, clock, calls and
faults: company files, consent lapses, quick seeding, read-back and limits."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request

from localdev.emukit import control_blueprint, json_object
from localdev.myob.books import CF_URI
from localdev.myob.context import services
from localdev.myob.limits import MyobLimits
from localdev.myob.resources import RESOURCES
from localdev.myob.seed import seed_customers

blueprint: Blueprint = control_blueprint("myob_controls", __name__)
MAX_SEED = 200_000


def _refused(message: str, field: str | None = None) -> Response:
    return services().kit.errors.refused(message, field)


@blueprint.get("/state")
def state() -> Response:
    emulated = services()
    with emulated.oauth.lock:
        files = [
            {"Id": cf.id, "Name": cf.name, "Records": _counts(cf.id)}
            for cf in emulated.oauth.company_files.values()
        ]
        grants = [
            {
                "id": grant.id,
                "user": grant.user.username,
                "scopes": list(grant.scopes),
                "company_files": list(grant.company_file_ids),
                "given_at": grant.given_at.isoformat(),
                "lapsed": grant.lapsed,
            }
            for grant in emulated.oauth.grants.values()
        ]
    return jsonify(
        {
            "company_files": files,
            "grants": grants,
            "limits": emulated.limits.limits.to_json(),
            "rate_limit_refusals": emulated.limits.refused,
            "clock": emulated.kit.clock_json(),
        }
    )


def _counts(company_file_id: str) -> dict[str, int]:
    books = services().files.get(company_file_id)
    if books is None:
        return {}
    with books.lock:
        return {path: len(books.records(path)) for path in RESOURCES}


@blueprint.post("/company-files")
def add_company_file() -> Response:
    body = json_object()
    if body is None or not isinstance(body.get("name"), str) or not body["name"].strip():
        return _refused("name is required", "name")
    company_file_id = body.get("id") or str(uuid.uuid4())
    try:
        uuid.UUID(str(company_file_id))
        added = services().files.add(
            body["name"].strip(), str(company_file_id), demo_data=bool(body.get("demo_data", True))
        )
    except ValueError as error:
        return _refused(str(error), "id")
    response = jsonify({"Id": added.id, "Name": added.name})
    response.status_code = 201
    return response


@blueprint.post("/company-files/<company_file_id>/lapse-consent")
def lapse_consent(company_file_id: str) -> Response:
    lapsed = services().oauth.lapse(company_file_id.lower())
    return jsonify({"lapsed_grants": lapsed})


@blueprint.post("/company-files/<company_file_id>/seed")
def seed(company_file_id: str) -> Response:
    books = services().files.get(company_file_id)
    if books is None:
        return _refused(f"no company file {company_file_id}")
    body = json_object() or {}
    count = body.get("customers")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_SEED:
        return _refused(f"customers must be a whole number from 1 to {MAX_SEED}", "customers")
    return jsonify({"customers": seed_customers(books, count)})


@blueprint.get("/company-files/<company_file_id>/records/<path:resource>")
def records(company_file_id: str, resource: str) -> Response:
    books = services().files.get(company_file_id)
    if books is None or resource not in RESOURCES:
        return _refused(f"no company file {company_file_id} or resource {resource}")
    with books.lock:
        items: list[Any] = list(books.records(resource).values())
        text = json.dumps(items).replace(
            CF_URI, f"{request.host_url.rstrip('/')}/accountright/{books.company_file_id}"
        )
    return Response(text, mimetype="application/json")


@blueprint.get("/limits")
def get_limits() -> Response:
    return jsonify(services().limits.limits.to_json())


@blueprint.put("/limits")
def set_limits() -> Response:
    body = json_object()
    if body is None:
        return _refused("expected a JSON object")
    current = services().limits.limits
    try:
        limits = MyobLimits(
            per_second=int(body.get("per_second", current.per_second)),
            per_day=int(body.get("per_day", current.per_day)),
        )
    except (TypeError, ValueError) as error:
        return _refused(str(error))
    services().limits.set_limits(limits)
    return jsonify(limits.to_json())
