"""The Accounting API endpoints under /v3/company/{realmId}, and the gate before them.

Every request passes, in this order: the gateway's bearer check for the realm in the
URL (401/403, the identity side's bodies), `minorversion` (absent or 1-74 read as 75,
Intuit's baseline since August 2025; anything else refused), the throttles (429),
then `Accept: application/json` (406 - Intuit answers XML otherwise, so a client that
forgets the header fails here rather than in production). The gate runs before the
fault hook, so a `delay` fault holds its concurrency slot as a slow request would.
Writes take `requestid` (see requestids.py). Rule placeholders are named so call
counts read e.g. "POST /v3/company/{realm_id}/customer".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from localdev.quickbooks.accounting import batch, cdc, faults, query, writes
from localdev.quickbooks.accounting.books import Books, Record
from localdev.quickbooks.accounting.companies import Company
from localdev.quickbooks.accounting.controls import blueprint as controls_blueprint
from localdev.quickbooks.accounting.entities import ENTITIES
from localdev.quickbooks.accounting.requestids import PARAMETER as REQUEST_ID
from localdev.quickbooks.bearer import authorised_grant
from localdev.quickbooks.context import services
from localdev.quickbooks.errors import RealmForbidden

PREFIX = "/v3/company/<realm_id>"
BASELINE_MINOR_VERSION = 75
JSON_TYPE = "application/json;charset=UTF-8"
KNOWN = frozenset(ENTITIES)

blueprint = Blueprint("quickbooks_accounting", __name__, url_prefix=PREFIX)


def install(app: Flask) -> None:
    """Register the gate (before the fault hook is installed), endpoints and controls."""

    @app.before_request
    def _gate() -> None:
        if request.blueprint != blueprint.name:
            return
        realm_id = (request.view_args or {}).get("realm_id", "")
        grant = authorised_grant(realm_id)
        company = services().companies.company(realm_id)
        if company is None:
            raise RealmForbidden(realm_id)
        g.qbo_company = company
        _check_minor_version()
        slot = (realm_id, grant.client_id)
        services().limits.acquire(slot, batch=request.endpoint == f"{blueprint.name}.run_batch")
        g.qbo_slot = slot
        if not _accepts_json():
            raise faults.QuickBooksFault(
                406,
                [
                    faults.ErrorDetail(
                        "406",
                        "Not Acceptable",
                        "Send Accept: application/json; QuickBooks answers XML otherwise "
                        "and the emulator speaks JSON only",
                    )
                ],
            )

    @app.teardown_request
    def _release(error: BaseException | None = None) -> None:
        slot = g.pop("qbo_slot", None)
        if slot is not None:
            services().limits.release(slot)

    @app.errorhandler(faults.QuickBooksFault)
    def _fault(fault: faults.QuickBooksFault) -> Response:
        return fault.to_response(services().clock.now())

    app.register_blueprint(blueprint)
    app.register_blueprint(controls_blueprint)


# --- helpers ------------------------------------------------------------------------------
def _check_minor_version() -> None:
    values = request.args.getlist("minorversion")
    if not values:
        return
    value = values[-1].strip()
    if len(values) > 1 or not value.isdigit() or not 1 <= int(value) <= BASELINE_MINOR_VERSION:
        raise faults.invalid_value(
            f"Invalid minorversion {value!r}: 1 to {BASELINE_MINOR_VERSION} "
            f"(1-74 are read as {BASELINE_MINOR_VERSION})",
            "minorversion",
        )


def _accepts_json() -> bool:
    return any(
        value.split(";")[0].strip().lower() == "application/json"
        for value in request.headers.get("Accept", "").split(",")
    )


def company() -> Company:
    return g.qbo_company  # type: ignore[no-any-return]


def _answer(payload: dict[str, Any]) -> Response:
    payload["time"] = faults.server_time(services().clock.now())
    return Response(json.dumps(payload), status=200, content_type=JSON_TYPE)


def _json_body() -> Record:
    if request.mimetype != "application/json":
        raise faults.request_invalid(
            "Content-Type must be application/json (the emulator does not read XML)."
        )
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise faults.request_invalid("Request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise faults.request_invalid("Request body must be a JSON object.")
    return body


def with_request_id(view: Callable[[], Response]) -> Response:
    """Replay a repeated `requestid`; every answer is remembered, errors included."""
    request_id = request.args.get(REQUEST_ID)
    if request_id is None:
        return view()

    def run() -> Response:
        try:
            return view()
        except faults.QuickBooksFault as fault:
            return fault.to_response(services().clock.now())

    query_string = "&".join(
        f"{key}={value}" for key, value in sorted(request.args.items(multi=True))
    )
    return services().requestids.run(
        (company().realm_id, g.qbo_slot[1]),
        request_id,
        request.method,
        request.path,
        query_string,
        request.get_data(),
        run,
    )


# --- entity endpoints -----------------------------------------------------------------------
def read_entity(kind: writes.EntityKind, realm_id: str, record_id: str) -> Response:
    books = company().books
    with books.lock:
        if kind.name == "CompanyInfo":
            own = next(iter(books.table(kind.name).values()), None)
            found = own if record_id == realm_id else None
        else:
            found = books.table(kind.name).get(record_id)
        if found is None:
            raise faults.object_not_found(kind.name, record_id)
        return _answer({kind.name: found})


def write_entity(kind: writes.EntityKind, realm_id: str) -> Response:
    def run() -> Response:
        body = _json_body()
        operation = request.args.get("operation")
        include = request.args.get("include")
        books = company().books
        now = services().clock.now()
        with books.lock:
            record = apply(kind, books, operation, include, body, now)
            return _answer({kind.name: record})

    return with_request_id(run)


def apply(
    kind: writes.EntityKind,
    books: Books,
    operation: str | None,
    include: str | None,
    body: Record,
    now: datetime,
) -> Record:
    """One write, as the entity endpoint's `operation` (and `include`) ask for it."""
    if operation == "delete":
        return writes.delete(kind, books, body, now)
    if operation == "void" or (operation == "update" and include == "void"):
        return writes.void(kind, books, body, now)
    if operation not in (None, "update", "create"):
        raise faults.invalid_value(f"Invalid operation {operation}", "operation")
    if include is not None:
        raise faults.invalid_value(f"Invalid include {include}", "include")
    has_id = body.get("Id") not in (None, "")
    if operation == "update" or (operation is None and has_id):
        return writes.update(kind, books, body, now)
    return writes.create(kind, books, body, now)


for _kind in ENTITIES.values():
    blueprint.add_url_rule(
        f"/{_kind.path}/<record_id>",
        endpoint=f"read_{_kind.path}",
        view_func=lambda realm_id, record_id, kind=_kind: read_entity(kind, realm_id, record_id),
        methods=["GET"],
    )
    blueprint.add_url_rule(
        f"/{_kind.path}",
        endpoint=f"write_{_kind.path}",
        view_func=lambda realm_id, kind=_kind: write_entity(kind, realm_id),
        methods=["POST"],
    )


# --- query, CDC, batch ----------------------------------------------------------------------
def run_query(text: str) -> dict[str, Any]:
    """A query's QueryResponse (also for batch items). It holds the stored records
    themselves: the caller serialises it while holding the company's lock."""
    books = company().books
    parsed = query.parse(text, KNOWN)
    with books.lock:
        key = (parsed.entity, tuple(parsed.conditions), tuple(parsed.order))
        chosen = books.selection(
            key,
            lambda: query.select(list(books.table(parsed.entity).values()), parsed, books.zone),
        )
        if parsed.count:
            return {"QueryResponse": {"totalCount": len(chosen)}}
        picked = [query.project(r, parsed.fields) for r in query.page(chosen, parsed)]
        if not picked:
            return {"QueryResponse": {}}
        return {
            "QueryResponse": {
                parsed.entity: picked,
                "startPosition": parsed.start,
                "maxResults": len(picked),
            }
        }


def run_query_now(text: str) -> dict[str, Any]:
    """A query's answer as the records are now (a batch item, before later items run)."""
    return json.loads(json.dumps(run_query(text)))  # type: ignore[no-any-return]


@blueprint.route("/query", methods=["GET", "POST"])
def run_query_endpoint(realm_id: str) -> Response:
    if request.method == "POST":
        if request.mimetype not in ("application/text", "text/plain"):
            raise faults.request_invalid(
                "A query sent by POST is the body, with Content-Type application/text."
            )
        text = request.get_data(as_text=True)
    else:
        text = request.args.get("query", "")
    with company().books.lock:
        return _answer(run_query(text))


def cdc_response(entities: str | None, changed_since: str | None, now: datetime) -> dict[str, Any]:
    """One CDCResponse (`/cdc` answers a list of one, a batch item the object itself).
    It holds the stored records themselves: the caller serialises it under the lock."""
    books = company().books
    names, since = cdc.parse_request(entities, changed_since, KNOWN, books, now)
    return {
        "QueryResponse": [
            cdc.response_part(name, cdc.changes(books, name, since)) for name in names
        ]
    }


@blueprint.get("/cdc")
def run_cdc(realm_id: str) -> Response:
    books = company().books
    now = services().clock.now()
    with books.lock:
        found = cdc_response(request.args.get("entities"), request.args.get("changedSince"), now)
        return _answer({"CDCResponse": [found]})


@blueprint.post("/batch")
def run_batch(realm_id: str) -> Response:
    def run() -> Response:
        items = batch.items_of(_json_body())
        books = company().books
        now = services().clock.now()

        def run_item(entity: str, operation: str, body: Record) -> dict[str, Any]:
            # A later item may change this record: answer it as it is now.
            record = apply(ENTITIES[entity], books, operation, None, body, now)
            return {entity: json.loads(json.dumps(record))}

        def run_changes(entities: str, changed_since: str) -> dict[str, Any]:
            # As the records are now: a later item of the batch may change them.
            found = cdc_response(entities, changed_since, now)
            return {"CDCResponse": json.loads(json.dumps(found))}

        # The whole batch holds the company's lock: its items run in order, alone.
        with books.lock:
            answers = batch.run(items, KNOWN, run_item, run_query_now, run_changes)
            return _answer({"BatchItemResponse": answers})

    return with_request_id(run)


@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def not_emulated(realm_id: str, rest: str) -> Response:
    raise faults.not_emulated(f"/v3/company/{realm_id}/{rest}")
