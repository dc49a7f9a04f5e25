"""Who may do what: tokens, roles, tenants, and bad input get clear problem responses."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain import apps
from localdev.dev_tokens import mint_token
from tests.support.auth import bearer
from tests.support.consent import add_xero, connect
from tests.support.problems import assert_problem
from tests.support.settings import JWT_SECRET


def test_health_needs_no_token(api):
    response = api.http.get("/v1/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_the_catalogue_lists_the_apps_and_what_their_invoices_can_be_created_as(api):
    apps = api.http.get("/v1/apps", headers=bearer(roles=())).json_body["apps"]
    by_key = {app["key"]: app for app in apps}
    assert by_key["xero"] == {
        "key": "xero",
        "name": "Xero",
        "available": True,
        "sync_domains": ["invoices", "payments", "line_items", "tax_rates", "customers"],
        "invoice_statuses": ["DRAFT", "AUTHORISED"],
    }
    # QuickBooks Online has no draft invoices: only approved ones are offered.
    assert by_key["quickbooks"]["available"] is True
    assert by_key["quickbooks"]["name"] == "QuickBooks Online"
    assert by_key["quickbooks"]["invoice_statuses"] == ["AUTHORISED"]
    assert by_key["myob"]["available"] is True
    assert by_key["myob"]["name"] == "MYOB Business"
    assert by_key["myob"]["invoice_statuses"] == ["AUTHORISED"]


def signed(**options) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token('t', ['admin'], **options)}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer not-a-jwt"},
        signed(secret="wrong-secret-wrong-secret-wrong!!"),
        signed(secret=JWT_SECRET, audience="other"),
        signed(secret=JWT_SECRET, issuer="evil"),
    ],
    ids=["missing", "not-bearer", "garbage", "wrong-key", "wrong-audience", "wrong-issuer"],
)
def test_requests_without_a_valid_token_are_401(api, headers):
    body = assert_problem(api.http.get("/v1/integrations", headers=headers), 401)
    assert "token" in body["detail"].lower()


def test_an_expired_token_is_401_and_says_so(api):
    expired = mint_token("t", ["admin"], secret=JWT_SECRET, now=1_000_000, lifetime_seconds=60)
    response = api.http.get("/v1/integrations", headers={"Authorization": f"Bearer {expired}"})
    body = assert_problem(response, 401)
    assert "expired" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_without_a_tenant_is_401(api):
    import jwt

    token = jwt.encode(
        {
            "sub": "u",
            "roles": ["admin"],
            "exp": 4_000_000_000,
            "iss": "loc8",
            "aud": "loc8-integrations",
        },
        JWT_SECRET,
        algorithm="HS256",
    )
    assert_problem(
        api.http.get("/v1/integrations", headers={"Authorization": f"Bearer {token}"}), 401
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"tenant_id": ""},
        {"tenant_id": "   "},
        {"exp": "4000000000"},
        {"exp": True},
        {"exp": [4_000_000_000]},
        {"exp": None},
    ],
    ids=["empty-tenant", "blank-tenant", "exp-string", "exp-bool", "exp-list", "exp-null"],
)
def test_a_validly_signed_token_with_a_malformed_claim_is_401(api, claims):
    import jwt

    token = jwt.encode(
        {
            "sub": "u",
            "tenant_id": "tenant-a",
            "roles": ["admin"],
            "exp": 4_000_000_000,
            "iss": "loc8",
            "aud": "loc8-integrations",
            **claims,
        },
        JWT_SECRET,
        algorithm="HS256",
    )
    assert_problem(
        api.http.get("/v1/integrations", headers={"Authorization": f"Bearer {token}"}), 401
    )


def test_a_non_admin_cannot_change_integrations_but_can_read(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    viewer = bearer(roles=("technician",))
    assert_problem(
        api.http.post(
            "/v1/integrations",
            headers={**viewer, "Content-Type": "application/json"},
            body=json.dumps({"app": "xero"}),
        ),
        403,
    )
    assert_problem(
        api.http.post(f"/v1/integrations/{integration_id}/authorize", headers=viewer), 403
    )
    assert_problem(api.http.delete(f"/v1/integrations/{integration_id}", headers=viewer), 403)
    assert api.http.get(f"/v1/integrations/{integration_id}", headers=viewer).status_code == 200


def test_another_tenants_integration_is_404_everywhere(api, fake_app):
    integration_id = connect(api, fake_app, tenant="tenant-a")["added"]["id"]
    other = bearer("tenant-b")
    assert_problem(api.http.get(f"/v1/integrations/{integration_id}", headers=other), 404)
    assert_problem(
        api.http.post(f"/v1/integrations/{integration_id}/authorize", headers=other), 404
    )
    assert_problem(api.http.delete(f"/v1/integrations/{integration_id}", headers=other), 404)
    assert api.http.get("/v1/integrations", headers=other).json_body == {"integrations": []}
    still = api.http.get(f"/v1/integrations/{integration_id}", headers=bearer("tenant-a")).json_body
    assert still["status"] == "AUTHORISED"


def test_an_unknown_app_is_400(api):
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": "sage"}),
    )
    body = assert_problem(response, 400)
    assert "sage" in body["detail"]


def test_an_app_not_yet_offered_is_400(api, monkeypatch):
    upcoming = apps.AppInfo(key="sage", name="Sage Business Cloud", available=False)
    monkeypatch.setattr(apps, "CATALOGUE", (*apps.CATALOGUE, upcoming))
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": "sage"}),
    )
    assert "not available yet" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [("{not json", 400), ("[1, 2]", 400), ("{}", 422), ('{"app": "xero", "extra": 1}', 422)],
)
def test_malformed_add_bodies_are_refused_with_field_errors(api, body, status):
    response = api.http.post(
        "/v1/integrations", headers={**bearer(), "Content-Type": "application/json"}, body=body
    )
    problem = assert_problem(response, status)
    if status == 422:
        assert problem["errors"]
        assert {"field", "message"} <= problem["errors"][0].keys()


def test_adding_the_same_app_twice_is_409_with_the_existing_id(api):
    first = add_xero(api)
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    )
    body = assert_problem(response, 409)
    assert body["integration_id"] == first["id"]
    assert first["id"] in body["detail"]
    assert body["detail"].startswith("An integration with Xero already exists")


def test_each_tenant_may_add_its_own_xero(api):
    assert add_xero(api, "tenant-a")["id"] != add_xero(api, "tenant-b")["id"]


def test_cors_echoes_only_configured_origins(api):
    allowed = api.http.get("/v1/health", headers={"Origin": "https://app.loc8.test"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.loc8.test"
    refused = api.http.get("/v1/health", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_preflight_allows_the_web_client_to_send_its_headers(api):
    response = api.http.request(
        "OPTIONS",
        "/v1/integrations/int_1/organisation",
        headers={"Origin": "https://app.loc8.test", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.loc8.test"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    evil = api.http.request("OPTIONS", "/v1/integrations", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_an_unexpected_failure_is_a_500_problem_without_internals(api, container, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(container.integrations, "list", explode)
    response = api.http.get("/v1/integrations", headers=bearer())
    body = assert_problem(response, 500)
    assert "secret internal detail" not in json.dumps(body)
