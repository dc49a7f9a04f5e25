"""docs/openapi.yaml: valid, complete for the app's routes, faithful to API.md, and able to fail."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalice import Response
from chalice.test import HTTPResponse
from openapi_spec_validator import validate

from tests.support.auth import bearer
from tests.support.openapi_contract import (
    SPEC_PATH,
    ContractViolation,
    ValidatingHTTPClient,
    response_errors,
    validate_response,
)

API_MD = Path(__file__).resolve().parents[3] / "shared" / "API.md"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PUBLIC_OPERATIONS = {("GET", "/v1/health"), ("GET", "/v1/oauth/{app}/callback")}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def template(path: str) -> str:
    """`/v1/integrations/{id}` and `/v1/integrations/{integration_id}` compare equal."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def respond(status: int, body: Any = None, **headers: str) -> HTTPResponse:
    content_type = "application/problem+json" if status >= 400 else "application/json"
    return HTTPResponse(
        body=b"" if body is None else json.dumps(body).encode(),
        headers={"Content-Type": content_type, **headers},
        status_code=status,
    )


def problem(status: int, **extra: Any) -> dict[str, Any]:
    return {"type": "urn:loc8:problem:x", "title": "T", "status": status, "detail": "D", **extra}


# Integration and SyncRun as API.md shows them, placeholders filled in.
INTEGRATION = {
    "id": "int_0123456789abcdef0123",
    "app": "xero",
    "status": "ACTIVE",
    "organisation": {"id": "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f", "name": "Demo Plumbing Ltd"},
    "config": {
        "sync": {"invoices": True, "line_items": True, "tax_rates": True, "customers": True},
        "invoice_status": "DRAFT",
        "default_account_code": "200",
        "line_item_accounts": {"li_1": "200"},
    },
    "config_version": 3,
    "last_sync": {
        "run_id": "run_01",
        "status": "SUCCEEDED",
        "finished_at": "2026-11-25T12:00:00Z",
        "counts": {"customers": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}},
    },
    "attention": None,
    "created_at": "2026-11-25T12:00:00Z",
    "updated_at": "2026-11-25T12:00:00Z",
}
SYNC_RUN = {
    "id": "run_01",
    "integration_id": "int_0123456789abcdef0123",
    "trigger": "manual",
    "status": "PARTIAL",
    "started_at": "2026-11-25T12:00:00Z",
    "finished_at": "2026-11-25T12:01:00Z",
    "counts": {"customers": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}, "x": {}},
    "counts_by_direction": {
        "customers": {
            "to_app": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
            "to_loc8": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
        }
    },
    "errors": [
        {"domain": "invoices", "record": "INV-1042", "message": "Account 200 is archived in Xero"}
    ],
    "errors_truncated": 0,
    "deferred_until": None,
}
INTEGRATION_PATH = "/v1/integrations/int_0123456789abcdef0123"


# (a) the spec itself


def test_the_spec_is_a_valid_openapi_document(spec):
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_only_health_and_the_oauth_callback_go_without_a_bearer_token(spec):
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    public = {
        (method, path)
        for method, path in operations(spec)
        if spec["paths"][path][method.lower()].get("security") == []
    }
    assert public == PUBLIC_OPERATIONS


def test_errors_are_problem_json_and_undocumented_statuses_are_not_defaulted(spec):
    for method, path in operations(spec):
        responses = spec["paths"][path][method.lower()]["responses"]
        assert "default" not in responses, (method, path)
        for status, response in responses.items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (method, path)


# (b) every route the app serves is in the spec


def chalice_routes() -> set[tuple[str, str]]:
    from app import app

    return {
        (method, path)
        for path, methods in app.routes.items()
        for method in methods
        if method != "OPTIONS"
    }


def undocumented(routes: set[tuple[str, str]], spec: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(routes - operations(spec))


def test_every_chalice_route_is_described_in_the_spec(spec):
    routes = chalice_routes()
    assert ("GET", "/v1/integrations/{integration_id}") in routes
    missing = undocumented(routes, spec)
    assert not missing, f"routes missing from docs/openapi.yaml: {missing}"


def test_the_app_enums_are_the_apps_on_offer(spec):
    from chalicelib.domain.apps import CATALOGUE

    on_offer = [app.key for app in CATALOGUE if app.available]
    added = spec["paths"]["/v1/integrations"]["post"]["requestBody"]["content"]
    assert added["application/json"]["schema"]["properties"]["app"]["enum"] == on_offer
    (callback_app,) = spec["paths"]["/v1/oauth/{app}/callback"]["parameters"]
    assert callback_app["schema"]["enum"] == on_offer


def test_id_and_cursor_patterns_are_the_ones_the_code_checks(spec):
    from chalicelib.api.routing import ID_PATTERN
    from chalicelib.api.sync import CURSOR_PATTERN

    def anchored(pattern: re.Pattern[str]) -> str:
        return f"^{pattern.pattern}$"

    paths = spec["paths"]
    runs = paths["/v1/integrations/{integration_id}/sync-runs"]["get"]["parameters"]
    (cursor,) = [p for p in runs if p["name"] == "cursor"]
    (_, run_id) = paths["/v1/integrations/{integration_id}/sync-runs/{run_id}"]["parameters"]
    integration_id = spec["components"]["parameters"]["IntegrationId"]
    assert cursor["schema"]["pattern"] == anchored(CURSOR_PATTERN)
    assert run_id["schema"]["pattern"] == anchored(ID_PATTERN)
    assert integration_id["schema"]["pattern"] == anchored(ID_PATTERN)


def test_a_route_missing_from_the_spec_is_noticed(spec):
    extra = {("POST", "/v1/integrations/{integration_id}/archive"), ("PATCH", "/v1/apps")}
    assert undocumented(chalice_routes() | extra, spec) == sorted(extra)


def test_the_spec_leaves_preflight_out(spec):
    assert not any(method == "OPTIONS" for method, _ in operations(spec))


# (c) the validator can fail


def test_a_conforming_integration_passes():
    validate_response("GET", INTEGRATION_PATH, respond(200, INTEGRATION))


@pytest.mark.parametrize(
    ("method", "path", "response"),
    [
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            respond(200, {k: v for k, v in INTEGRATION.items() if k != "status"}),
            id="integration-without-status",
        ),
        pytest.param(
            "GET", INTEGRATION_PATH, respond(200, {**INTEGRATION, "status": "LIVE"}), id="bad-enum"
        ),
        pytest.param(
            "GET", INTEGRATION_PATH, respond(200, {**INTEGRATION, "extra": 1}), id="extra-field"
        ),
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            respond(200, {**INTEGRATION, "created_at": "yesterday"}),
            id="not-a-date-time",
        ),
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            respond(200, {**INTEGRATION, "organisations": [{"id": "o", "name": "O"}]}),
            id="organisations-outside-choose-organisation",
        ),
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            respond(200, {**INTEGRATION, "status": "CHOOSE_ORGANISATION"}),
            id="choose-organisation-without-organisations",
        ),
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            respond(200, {**INTEGRATION, "attention": {"code": "X"}}),
            id="attention-without-message",
        ),
        pytest.param("GET", "/v1/health", respond(418, problem(418)), id="undocumented-status"),
        pytest.param("GET", "/v1/nowhere", respond(200, {}), id="undocumented-path"),
        pytest.param(
            "GET",
            INTEGRATION_PATH,
            HTTPResponse(
                body=json.dumps(problem(404)).encode(),
                headers={"Content-Type": "application/json"},
                status_code=404,
            ),
            id="problem-as-plain-json",
        ),
        pytest.param(
            "GET", INTEGRATION_PATH, respond(404, {"message": "nope"}), id="not-a-problem"
        ),
        pytest.param(
            "GET", INTEGRATION_PATH, respond(401, problem(401)), id="401-without-www-authenticate"
        ),
        pytest.param(
            "POST",
            "/v1/integrations",
            respond(201, {**INTEGRATION, "authorize_url": "https://login.app.test/a"}),
            id="201-without-location",
        ),
        pytest.param(
            "POST",
            "/v1/integrations",
            respond(409, problem(409)),
            id="already-connected-without-its-id",
        ),
        pytest.param(
            "PUT",
            "/v1/integrations/int_1/config",
            respond(422, problem(422)),
            id="validation-failure-without-errors",
        ),
        pytest.param(
            "GET",
            "/v1/integrations/int_1/config",
            respond(200, INTEGRATION["config"]),
            id="config-without-etag",
        ),
        pytest.param(
            "GET",
            "/v1/integrations/int_1/sync-runs/run_01",
            respond(200, {k: v for k, v in SYNC_RUN.items() if k != "errors"}),
            id="sync-run-without-errors",
        ),
    ],
)
def test_the_validator_rejects_responses_that_break_the_spec(method, path, response):
    assert response_errors(method, path, response)
    with pytest.raises(ContractViolation):
        validate_response(method, path, response)


def test_the_api_fixture_validates_every_response(api, monkeypatch):
    assert isinstance(api.http, ValidatingHTTPClient)
    monkeypatch.setattr(
        "chalicelib.api.meta.json_response",
        lambda body, **_kw: Response(body={"state": "ok"}, status_code=200),
    )
    with pytest.raises(ContractViolation, match="/v1/health"):
        api.http.get("/v1/health")


def test_the_api_fixture_catches_an_integration_that_drifts(api, monkeypatch):
    import chalicelib.api.integrations as routes

    real = routes.integration_json
    monkeypatch.setattr(routes, "integration_json", lambda i: {**real(i), "tenant_id": "leak"})
    with pytest.raises(ContractViolation, match="tenant_id"):
        api.http.post(
            "/v1/integrations",
            headers={**bearer(), "Content-Type": "application/json"},
            body=json.dumps({"app": "xero"}),
        )


# (d) API.md's examples agree with the schemas


def test_api_md_examples_conform():
    validate_response("GET", INTEGRATION_PATH, respond(200, INTEGRATION))
    choosing = {
        **INTEGRATION,
        "status": "CHOOSE_ORGANISATION",
        "organisation": None,
        "organisations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "config": None,
        "config_version": 0,
        "last_sync": None,
    }
    validate_response("GET", INTEGRATION_PATH, respond(200, choosing))
    reconnect = {
        **INTEGRATION,
        "status": "NEEDS_RECONNECT",
        "attention": {
            "code": "NEEDS_RECONNECT",
            "message": "Xero access was revoked; reconnect to resume syncing.",
        },
    }
    validate_response("GET", INTEGRATION_PATH, respond(200, reconnect))
    validate_response("GET", f"{INTEGRATION_PATH}/sync-runs/run_01", respond(200, SYNC_RUN))
    validate_response(
        "GET",
        f"{INTEGRATION_PATH}/sync-runs?limit=10",
        respond(200, {"runs": [SYNC_RUN], "next_cursor": None}),
    )
    validate_response(
        "GET", f"{INTEGRATION_PATH}/config", respond(200, INTEGRATION["config"], ETag='"3"')
    )


def api_md() -> str:
    if not API_MD.exists():
        pytest.skip(f"{API_MD} is not available")
    return API_MD.read_text()


def json_block_after(text: str, heading: str) -> str:
    section = text[text.index(heading) :]
    return re.search(r"```json\n(.*?)```", section, re.DOTALL).group(1)


def top_level_keys(block: str) -> set[str]:
    """The keys of the outermost object of API.md's JSON-with-comments example."""
    block = re.sub(r"//[^\n]*", "", block)
    keys, depth = set(), 0
    for token in re.finditer(r'"([^"]*)"\s*:|[{}\[\]]', block):
        if token.group(0) in "{[":
            depth += 1
        elif token.group(0) in "}]":
            depth -= 1
        elif depth == 1:
            keys.add(token.group(1))
    return keys


def quoted_alternatives(block: str, key: str) -> set[str]:
    return set(re.search(rf'"{key}":\s*"([^"]+)"', block).group(1).split("|"))


# Config fields the spec adds to API.md (issue 14): the account payments go into and
# Loc8's tax types mapped to the app's rates; and the payments switch.
SPEC_ONLY_CONFIG_FIELDS = {"payment_account_code", "tax_rate_mappings"}
SPEC_ONLY_SYNC_FLAGS = {"payments"}


def test_api_md_objects_have_exactly_the_schema_fields(spec):
    text = api_md()
    integration = json_block_after(text, "## Integration object")
    assert top_level_keys(integration) == set(schema(spec, "Integration")["properties"])
    assert top_level_keys(integration) | {"authorize_url"} == set(
        schema(spec, "AddedIntegration")["properties"]
    )
    sync_run = json_block_after(text, "## SyncRun object")
    # Ours: errors_truncated, so a run past its error cap says how many it left out, and
    # counts_by_direction, which way each domain's records went (counts stays the totals).
    assert top_level_keys(sync_run) | {"errors_truncated", "counts_by_direction"} == set(
        schema(spec, "SyncRun")["properties"]
    )
    config = json_block_after(text, "## Config body")
    assert top_level_keys(config) | SPEC_ONLY_CONFIG_FIELDS == set(
        schema(spec, "Config")["properties"]
    )
    sync_flags = json.loads(re.search(r'"sync":\s*(\{[^}]*\})', config).group(1))
    assert set(sync_flags) | SPEC_ONLY_SYNC_FLAGS == set(
        schema(spec, "Config")["properties"]["sync"]["properties"]
    )


def test_api_md_enums_match_the_schemas(spec):
    text = api_md()
    statuses = set(re.findall(r"`([A-Z_]+)`", re.search(r"`status` ∈ ([^\n]*)", text).group(1)))
    assert statuses == set(schema(spec, "IntegrationStatus")["enum"])
    sync_run = json_block_after(text, "## SyncRun object")
    assert quoted_alternatives(sync_run, "trigger") == set(
        schema(spec, "SyncRun")["properties"]["trigger"]["enum"]
    )
    assert quoted_alternatives(sync_run, "status") == set(schema(spec, "SyncRunStatus")["enum"])
    assert set(
        re.findall(r'"(DRAFT|AUTHORISED)"', json_block_after(text, "## Config body"))
    ) == set(schema(spec, "Config")["properties"]["invoice_status"]["enum"])


def api_md_routes(text: str) -> set[tuple[str, str]]:
    routes = set()
    for cells in re.findall(r"^\| `([A-Z]+) (/[^`?]+)[^|]*\|", text, re.MULTILINE):
        method, path = cells
        routes.add((method, template(path)))
    for method, path, alternative in re.findall(
        r"^\| `([A-Z]+) (/[^`]+)` / `(/[a-z-]+)`", text, re.MULTILINE
    ):
        routes.add((method, template(path.rsplit("/", 1)[0] + alternative)))
    return routes


# Routes the spec adds to API.md (the web client's half of a consent, issue 13; Loc8's
# tax types with the app rate each stands for, issue 14).
SPEC_ONLY_ROUTES = {
    ("POST", "/v1/integrations/{}/consent"),
    ("GET", "/v1/integrations/{}/tax-types"),
}


def test_every_route_in_api_md_is_in_the_spec(spec):
    documented = api_md_routes(api_md())
    assert len(documented) >= 19
    in_spec = {(method, template(path)) for method, path in operations(spec)}
    assert documented | SPEC_ONLY_ROUTES == in_spec
