"""What every /v1 view shares: JSON answers, the tenant lookup, lists, idempotent writes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Response, request

from localdev.emukit import KEY_HEADER, KeyReused
from localdev.loc8 import paging
from localdev.loc8.context import services
from localdev.loc8.idempotency import check_key, key_reused, request_fingerprint
from localdev.loc8.models import Stamped
from localdev.loc8.tenant import TenantState

R = TypeVar("R", bound=Stamped)
View = Callable[..., Response]


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def tenant(tenant_id: str) -> TenantState:
    return services().state.tenant(tenant_id)


def list_page(kind: str, records: Iterable[R], to_json: Callable[[R], dict[str, Any]]) -> Response:
    """One page of a changed-since list, from the request's query parameters."""
    since = paging.parse_since(request.args.get("updated_since"))
    limit = paging.parse_limit(request.args.get("limit"))
    cursor = request.args.get("cursor") or None
    with services().state.lock:
        chosen, next_cursor = paging.page(
            kind, list(records), since=since, cursor=cursor, limit=limit
        )
        items = [to_json(record) for record in chosen]
    return json_response({"items": items, "next_cursor": next_cursor})


def idempotent(view: View) -> View:
    """Replay the stored answer for a repeated Idempotency-Key instead of redoing the work.

    The lock is held across lookup, work and storing, as Loc8 core serialises a
    tenant's writes.
    """

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        key = request.headers.get(KEY_HEADER)
        state = services().state
        with state.lock:
            owner = state.tenant(kwargs["tenant_id"])
            if key is None:
                return view(**kwargs)
            check_key(key)
            request_print = request_fingerprint(request.method, request.path, request.get_data())
            try:
                return owner.replies.run((), key, request_print, lambda: view(**kwargs))
            except KeyReused as reused:
                raise key_reused() from reused

    return wrapper
