"""Sync routes: "sync now" and the run history."""

from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.api.presenters import sync_run_json
from chalicelib.api.routing import answers_problems, caller, json_response
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidRequest

sync = Blueprint(__name__)
DEFAULT_PAGE = 20
MAX_PAGE = 100
# ASCII digits only: str.isdigit() also takes "²" and "①", which int() refuses.
LIMIT_PATTERN = re.compile(r"[0-9]{1,3}", re.ASCII)
# A cursor is the unpadded base64url of a run id (44 characters today).
CURSOR_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


@sync.route("/v1/integrations/{integration_id}/sync", methods=["POST"])
@answers_problems
def sync_now(integration_id: str) -> object:
    principal = caller(sync.current_request, admin=True)
    run = container().sync_history.sync_now(principal.tenant_id, integration_id)
    return json_response({"run_id": run.id}, status=202)


@sync.route("/v1/integrations/{integration_id}/sync-runs", methods=["GET"])
@answers_problems
def list_sync_runs(integration_id: str) -> object:
    principal = caller(sync.current_request)
    params = sync.current_request.query_params or {}
    limit = _limit(params.get("limit"))
    runs, next_cursor = container().sync_history.runs(
        principal.tenant_id, integration_id, limit, _cursor(params.get("cursor"))
    )
    return json_response(
        {
            "runs": [sync_run_json(run, with_errors=False) for run in runs],
            "next_cursor": next_cursor,
        }
    )


@sync.route("/v1/integrations/{integration_id}/sync-runs/{run_id}", methods=["GET"])
@answers_problems
def get_sync_run(integration_id: str, run_id: str) -> object:
    principal = caller(sync.current_request)
    run = container().sync_history.run(principal.tenant_id, integration_id, run_id)
    return json_response(sync_run_json(run, with_errors=True))


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE
    if not LIMIT_PATTERN.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def _cursor(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not CURSOR_PATTERN.fullmatch(raw):
        raise InvalidRequest("The cursor is not valid; send the next_cursor of the last page.")
    return raw
