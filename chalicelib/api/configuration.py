"""Configuration routes: chart of accounts, tax rates, line items, config, pause/resume."""

from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.api.presenters import (
    account_json,
    config_json,
    etag,
    integration_json,
    line_item_json,
    tax_rate_json,
    tax_type_json,
)
from chalicelib.api.routing import answers_problems, caller, json_response, parse_body
from chalicelib.bootstrap import container
from chalicelib.domain.accounting import AccountClass
from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.sync_config import SyncConfig

configuration = Blueprint(__name__)
# ASCII digits, at most nine: `\d` would take other scripts' digits, and int() of
# thousands of digits raises instead of parsing.
ETAG_PATTERN = re.compile(r'\s*(?:W/)?"([0-9]{1,9})"\s*', re.ASCII)


def if_match_version(header: str | None) -> int | None:
    if header is None or header.strip() == "*":
        return None
    match = ETAG_PATTERN.fullmatch(header)
    if match is None:
        raise InvalidRequest('If-Match must be the ETag of the config, e.g. "3".')
    return int(match.group(1))


@configuration.route("/v1/integrations/{integration_id}/accounts", methods=["GET"])
@answers_problems
def list_accounts(integration_id: str) -> object:
    principal = caller(configuration.current_request)
    params = configuration.current_request.query_params or {}
    accounts = container().configuration.accounts(
        principal.tenant_id, integration_id, _account_class(params.get("class"))
    )
    return json_response({"accounts": [account_json(a) for a in accounts]})


def _account_class(raw: str | None) -> AccountClass | None:
    if raw is None:
        return None
    try:
        return AccountClass(raw.upper())
    except ValueError:
        known = ", ".join(sorted(AccountClass))
        raise InvalidRequest(f"class must be one of {known}.") from None


@configuration.route("/v1/integrations/{integration_id}/tax-rates", methods=["GET"])
@answers_problems
def list_tax_rates(integration_id: str) -> object:
    principal = caller(configuration.current_request)
    rates = container().configuration.tax_rates(principal.tenant_id, integration_id)
    return json_response({"tax_rates": [tax_rate_json(r) for r in rates]})


@configuration.route("/v1/integrations/{integration_id}/tax-types", methods=["GET"])
@answers_problems
def list_tax_types(integration_id: str) -> object:
    principal = caller(configuration.current_request)
    view = container().configuration.tax_types(principal.tenant_id, integration_id)
    return json_response(
        {
            "tax_types": [tax_type_json(match) for match in view.matches],
            "tax_rates": [tax_rate_json(rate) for rate in view.choices],
        }
    )


@configuration.route("/v1/integrations/{integration_id}/line-items", methods=["GET"])
@answers_problems
def list_line_items(integration_id: str) -> object:
    principal = caller(configuration.current_request)
    items = container().configuration.line_items(principal.tenant_id, integration_id)
    return json_response({"line_items": [line_item_json(i) for i in items]})


@configuration.route("/v1/integrations/{integration_id}/config", methods=["GET"])
@answers_problems
def get_config(integration_id: str) -> object:
    principal = caller(configuration.current_request)
    view = container().configuration.config(principal.tenant_id, integration_id)
    return json_response(config_json(view), headers={"ETag": etag(view.version)})


@configuration.route("/v1/integrations/{integration_id}/config", methods=["PUT"])
@answers_problems
def save_config(integration_id: str) -> object:
    request = configuration.current_request
    principal = caller(request, admin=True)
    expected = if_match_version(request.headers.get("if-match"))
    body = parse_body(request, SyncConfig)
    integration = container().configuration.save(
        principal.tenant_id, integration_id, body, expected
    )
    return json_response(
        integration_json(integration), headers={"ETag": etag(integration.config_version)}
    )


@configuration.route("/v1/integrations/{integration_id}/pause", methods=["POST"])
@answers_problems
def pause_integration(integration_id: str) -> object:
    principal = caller(configuration.current_request, admin=True)
    integration = container().configuration.pause(principal.tenant_id, integration_id)
    return json_response(integration_json(integration))


@configuration.route("/v1/integrations/{integration_id}/resume", methods=["POST"])
@answers_problems
def resume_integration(integration_id: str) -> object:
    principal = caller(configuration.current_request, admin=True)
    integration = container().configuration.resume(principal.tenant_id, integration_id)
    return json_response(integration_json(integration))
