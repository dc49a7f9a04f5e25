"""The emulated Xero identity service, driven over real HTTP like a web backend would."""

from __future__ import annotations

import copy
import re
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import AccountingClient
from tests.support.xero_flow import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_REDIRECT_URI,
    REDIRECT_URI,
    XeroFlow,
    jwt_claims,
    new_pkce,
    parse_page,
    query_of,
)

IDENTITY_SPEC = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "reference"
    / "xero-openapi"
    / "xero-identity.yaml"
)
XERO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$")
THIRTY_MINUTES = 30 * 60


@pytest.fixture(scope="module")
def connections_schema() -> dict[str, Any]:
    if not IDENTITY_SPEC.is_file():
        pytest.skip(f"Xero OpenAPI reference not available at {IDENTITY_SPEC.resolve()}")
    spec = yaml.safe_load(IDENTITY_SPEC.read_text(encoding="utf-8"))
    connection = copy.deepcopy(spec["components"]["schemas"]["Connection"])
    # The spec lists fields without requiring any; a client relies on all of them being present.
    connection.update(
        type="object", required=sorted(connection["properties"]), additionalProperties=False
    )
    return {"type": "array", "items": connection}


def _error(response: Any) -> str:
    return response.json()["error"]


# --- authorize and consent -------------------------------------------------------------


def test_consent_page_lists_the_organisation_with_labelled_controls(xero: XeroFlow) -> None:
    params = xero.authorize_params()
    response = xero.open_consent(params)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = parse_page(response.text)
    assert page.title.startswith("Xero")
    [form] = page.forms
    assert form["method"] == "post"
    assert query_of(form["action"] or "") == query_of(xero.authorize_url(params))
    [checkbox] = [i for i in page.inputs if i.get("name") == "tenant_id"]
    assert checkbox["type"] == "checkbox"
    assert checkbox["value"] == DEMO_TENANT_ID
    assert "checked" in checkbox
    assert page.labels[checkbox["id"] or ""] == "Demo Company (AU)"
    decisions = {b["value"]: b for b in page.buttons if b.get("name") == "decision"}
    assert set(decisions) == {"allow", "deny"}
    assert all(b["type"] == "submit" for b in decisions.values())


def test_unknown_client_id_shows_an_error_page_and_never_redirects(xero: XeroFlow) -> None:
    params = xero.authorize_params(client_id="someone-else")
    for response in (xero.open_consent(params), xero.submit_consent(params)):
        assert response.status_code == 400
        assert "Location" not in response.headers
        assert response.headers["Content-Type"].startswith("text/html")
        assert "unauthorized_client" in response.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback",
        "http://127.0.0.1:9999/v1/oauth/xero/callback",  # registered one has a query: not exact
        OTHER_REDIRECT_URI + "/extra",
        OTHER_REDIRECT_URI.upper(),
        None,
    ],
)
def test_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(
    xero: XeroFlow, redirect_uri: str | None
) -> None:
    params = xero.authorize_params(redirect_uri=redirect_uri)
    for response in (xero.open_consent(params), xero.submit_consent(params)):
        assert response.status_code == 400
        assert "Location" not in response.headers
        assert "redirect_uri" in response.text


@pytest.mark.parametrize(
    "scope",
    [
        "openid offline_access accounting.transactions",
        "offline_access accounting.transactions.read",
        "offline_access accounting.reports.read",
        "offline_access accounting.madeup",
    ],
)
def test_scope_not_available_to_the_app_redirects_with_invalid_scope(
    xero: XeroFlow, scope: str
) -> None:
    response = xero.open_consent(xero.authorize_params(scope=scope, state="s-1"))

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:9999/v1/oauth/xero/callback?")
    assert query_of(location) == {"source": ["xero"], "error": ["invalid_scope"], "state": ["s-1"]}


def test_granular_scopes_are_accepted(xero: XeroFlow) -> None:
    scope = (
        "offline_access accounting.invoices accounting.payments.read accounting.reports.aged.read"
    )
    assert xero.open_consent(xero.authorize_params(scope=scope)).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": None}, "invalid_request"),
    ],
)
def test_malformed_request_redirects_with_an_oauth_error(
    xero: XeroFlow, overrides: dict[str, str | None], error: str
) -> None:
    response = xero.open_consent(xero.authorize_params(**overrides))

    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == [error]
    assert query_of(response.headers["Location"])["state"] == ["state-123"]


def test_deny_redirects_with_access_denied_and_the_state(xero: XeroFlow) -> None:
    response = xero.submit_consent(xero.authorize_params(state="abc 123/+"), decision="deny")

    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["abc 123/+"]
    assert "code" not in query


def test_allow_redirects_with_a_code_keeping_the_registered_query(xero: XeroFlow) -> None:
    response = xero.submit_consent(xero.authorize_params(state="abc 123/+"))

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:9999/v1/oauth/xero/callback?")
    query = query_of(location)
    assert query["source"] == ["xero"]
    assert query["state"] == ["abc 123/+"]
    assert len(query["code"][0]) >= 20


# --- authorization code exchange -----------------------------------------------------------


def test_code_exchange_with_basic_auth_and_pkce_returns_a_token_set(xero: XeroFlow) -> None:
    response = xero.exchange(xero.authorize())

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "id_token",
        "access_token",
        "expires_in",
        "token_type",
        "refresh_token",
        "scope",
    }
    assert body["expires_in"] == 1800
    assert body["token_type"] == "Bearer"
    assert body["scope"].split() == [
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.settings",
        "accounting.contacts",
    ]
    id_claims = jwt_claims(body["id_token"])
    assert id_claims["aud"] == CLIENT_ID
    assert id_claims["email"]
    access_claims = jwt_claims(body["access_token"])
    assert access_claims["client_id"] == CLIENT_ID
    assert access_claims["exp"] - access_claims["nbf"] == 1800


def test_client_credentials_may_be_sent_in_the_body(xero: XeroFlow) -> None:
    authorization = xero.authorize()
    data = {
        "grant_type": "authorization_code",
        "code": authorization.code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": authorization.pkce.verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert xero.token(data, auth=None).status_code == 200


def test_refresh_token_only_with_offline_access_and_id_token_only_with_openid(
    xero: XeroFlow,
) -> None:
    body = xero.login(scope="accounting.settings accounting.contacts")

    assert "refresh_token" not in body
    assert "id_token" not in body
    assert body["access_token"]


def test_wrong_code_verifier_is_invalid_grant_and_burns_the_code(xero: XeroFlow) -> None:
    authorization = xero.authorize()

    wrong = xero.exchange(authorization, verifier=new_pkce().verifier)
    assert (wrong.status_code, _error(wrong)) == (400, "invalid_grant")
    retry = xero.exchange(authorization)
    assert (retry.status_code, _error(retry)) == (400, "invalid_grant")


def test_a_code_can_be_used_only_once(xero: XeroFlow) -> None:
    authorization = xero.authorize()

    assert xero.exchange(authorization).status_code == 200
    again = xero.exchange(authorization)
    assert (again.status_code, _error(again)) == (400, "invalid_grant")


def test_a_code_expires_after_five_minutes(xero: XeroFlow, emulator: XeroEmulator) -> None:
    authorization = xero.authorize()
    emulator.clock.advance(5 * 60 + 1)

    response = xero.exchange(authorization)
    assert (response.status_code, _error(response)) == (400, "invalid_grant")


def test_redirect_uri_must_match_the_one_used_to_authorize(xero: XeroFlow) -> None:
    response = xero.exchange(xero.authorize(), redirect_uri=OTHER_REDIRECT_URI)
    assert (response.status_code, _error(response)) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "auth", [(CLIENT_ID, "wrong-secret"), ("other-client", CLIENT_SECRET), None]
)
def test_bad_client_authentication_is_401_invalid_client(
    xero: XeroFlow, auth: tuple[str, str] | None
) -> None:
    response = xero.exchange(xero.authorize(), auth=auth)
    assert (response.status_code, _error(response)) == (401, "invalid_client")


def test_unknown_grant_type_and_missing_parameters(xero: XeroFlow) -> None:
    unsupported = xero.token({"grant_type": "password"})
    assert (unsupported.status_code, _error(unsupported)) == (400, "unsupported_grant_type")
    missing_code = xero.token({"grant_type": "authorization_code"})
    assert (missing_code.status_code, _error(missing_code)) == (400, "invalid_request")
    missing_type = xero.token({})
    assert (missing_type.status_code, _error(missing_type)) == (400, "invalid_request")


# --- refresh-token rotation ----------------------------------------------------------------


def test_refresh_rotates_both_tokens(xero: XeroFlow) -> None:
    first = xero.login()
    response = xero.refresh(first["refresh_token"])

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 1800
    assert xero.connections(second["access_token"]).status_code == 200
    assert xero.refresh(second["refresh_token"]).status_code == 200


def test_used_refresh_token_works_again_only_within_the_30_minute_grace(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    first = xero.login()
    assert xero.refresh(first["refresh_token"]).status_code == 200

    emulator.clock.advance(THIRTY_MINUTES - 60)
    retry = xero.refresh(first["refresh_token"])
    assert retry.status_code == 200
    assert retry.json()["refresh_token"] != first["refresh_token"]

    emulator.clock.advance(120)
    late = xero.refresh(first["refresh_token"])
    assert (late.status_code, _error(late)) == (400, "invalid_grant")
    # The token set the client kept from the retry is unaffected.
    assert xero.refresh(retry.json()["refresh_token"]).status_code == 200


def test_refresh_token_dies_after_60_days_unused(xero: XeroFlow, emulator: XeroEmulator) -> None:
    kept_fresh = xero.login()
    idle = xero.login()

    emulator.clock.advance(59 * 24 * 3600)
    refreshed = xero.refresh(kept_fresh["refresh_token"])
    assert refreshed.status_code == 200
    emulator.clock.advance(2 * 24 * 3600)

    assert xero.refresh(refreshed.json()["refresh_token"]).status_code == 200
    expired = xero.refresh(idle["refresh_token"])
    assert (expired.status_code, _error(expired)) == (400, "invalid_grant")


def test_unknown_refresh_token_is_invalid_grant(xero: XeroFlow) -> None:
    response = xero.refresh("not-a-token")
    assert (response.status_code, _error(response)) == (400, "invalid_grant")


def test_refresh_may_not_widen_the_granted_scopes(xero: XeroFlow) -> None:
    tokens = xero.login()
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "scope": "offline_access accounting.settings accounting.invoices",
    }
    response = xero.token(data)
    assert (response.status_code, _error(response)) == (400, "invalid_scope")
    same = dict(data, scope=tokens["scope"])
    assert xero.token(same).status_code == 200


# --- access tokens and /connections --------------------------------------------------------


def test_access_token_expires_after_30_minutes(xero: XeroFlow, emulator: XeroEmulator) -> None:
    tokens = xero.login()
    emulator.clock.advance(1799)
    assert xero.connections(tokens["access_token"]).status_code == 200

    emulator.clock.advance(2)
    response = xero.connections(tokens["access_token"])
    assert response.status_code == 401
    body = response.json()
    assert body["Title"] == "Unauthorized"
    assert body["Status"] == 401
    assert body["Detail"].startswith("TokenExpired: token expired at ")


@pytest.mark.parametrize("token", [None, "", "garbage"])
def test_missing_or_unknown_access_token_is_401_like_xero(
    xero: XeroFlow, token: str | None
) -> None:
    response = xero.connections(token)

    assert response.status_code == 401
    body = response.json()
    assert body["Type"] is None
    assert body["Title"] == "Unauthorized"
    assert body["Status"] == 401
    assert body["Detail"] == "AuthenticationUnsuccessful"
    assert uuid.UUID(body["Instance"])
    assert body["Extensions"] == {}


def test_connections_match_the_xero_identity_schema(
    xero: XeroFlow, connections_schema: dict[str, Any]
) -> None:
    tokens = xero.login()
    response = xero.connections(tokens["access_token"])

    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, connections_schema)
    [connection] = body
    for key in ("id", "authEventId", "tenantId"):
        uuid.UUID(connection[key])
    assert connection["tenantId"] == DEMO_TENANT_ID
    assert connection["tenantName"] == "Demo Company (AU)"
    assert connection["tenantType"] == "ORGANISATION"
    assert XERO_DATE.match(connection["createdDateUtc"])
    assert XERO_DATE.match(connection["updatedDateUtc"])
    assert (
        connection["authEventId"] == jwt_claims(tokens["access_token"])["authentication_event_id"]
    )


def test_sdk_style_capitalised_path_works(xero: XeroFlow) -> None:
    tokens = xero.login()
    response = xero.http.get(
        f"{xero.base_url}/Connections",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_delete_connection_disconnects_that_tenant(xero: XeroFlow) -> None:
    tokens = xero.login()
    [connection] = xero.connections(tokens["access_token"]).json()

    deleted = xero.delete_connection(tokens["access_token"], connection["id"])
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert xero.connections(tokens["access_token"]).json() == []
    assert xero.delete_connection(tokens["access_token"], connection["id"]).status_code == 404


def test_delete_connection_by_tenant_id_or_unknown_id_is_404(xero: XeroFlow) -> None:
    tokens = xero.login()

    assert xero.delete_connection(tokens["access_token"], DEMO_TENANT_ID).status_code == 404
    assert xero.delete_connection(tokens["access_token"], str(uuid.uuid4())).status_code == 404
    assert len(xero.connections(tokens["access_token"]).json()) == 1


def test_sign_in_only_scopes_connect_no_organisation(xero: XeroFlow) -> None:
    params = xero.authorize_params(scope="openid profile email")
    page = parse_page(xero.open_consent(params).text)
    assert not [i for i in page.inputs if i.get("name") == "tenant_id"]

    tokens = xero.login(scope="openid profile email")
    assert xero.connections(tokens["access_token"]).json() == []


# --- several organisations -----------------------------------------------------------------


def test_user_can_connect_a_subset_of_organisations(xero: XeroFlow, emulator: XeroEmulator) -> None:
    plumbing = emulator.add_organisation("Loc8 Plumbing Pty Ltd")
    page = parse_page(xero.open_consent(xero.authorize_params()).text)
    offered = {
        i["value"]: page.labels[i["id"] or ""] for i in page.inputs if i["name"] == "tenant_id"
    }
    assert offered == {DEMO_TENANT_ID: "Demo Company (AU)", plumbing.tenant_id: plumbing.name}

    tokens = xero.login(tenant_ids=[plumbing.tenant_id])
    [connection] = xero.connections(tokens["access_token"]).json()
    assert (connection["tenantId"], connection["tenantName"]) == (plumbing.tenant_id, plumbing.name)


def test_no_selection_connects_every_organisation(xero: XeroFlow, emulator: XeroEmulator) -> None:
    plumbing = emulator.add_organisation("Loc8 Plumbing Pty Ltd")
    tokens = xero.login()
    tenants = {c["tenantId"] for c in xero.connections(tokens["access_token"]).json()}
    assert tenants == {DEMO_TENANT_ID, plumbing.tenant_id}


def test_unknown_tenant_in_consent_form_is_rejected(xero: XeroFlow) -> None:
    response = xero.submit_consent(xero.authorize_params(), tenant_ids=[str(uuid.uuid4())])
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_later_consent_adds_tenants_and_auth_event_id_filters_them(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    plumbing = emulator.add_organisation("Loc8 Plumbing Pty Ltd")
    first = xero.login(tenant_ids=[DEMO_TENANT_ID])
    [demo_before] = xero.connections(first["access_token"]).json()

    emulator.clock.advance(3600)
    second = xero.login(tenant_ids=[DEMO_TENANT_ID, plumbing.tenant_id])
    second_event = jwt_claims(second["access_token"])["authentication_event_id"]

    # Like Xero, /connections lists every tenant the user connected to the app ...
    listed = {c["tenantId"]: c for c in xero.connections(second["access_token"]).json()}
    assert set(listed) == {DEMO_TENANT_ID, plumbing.tenant_id}
    # ... and reconnecting a tenant keeps its connection id but moves updatedDateUtc on.
    demo_after = listed[DEMO_TENANT_ID]
    assert demo_after["id"] == demo_before["id"]
    assert demo_after["createdDateUtc"] == demo_before["createdDateUtc"]
    assert demo_after["updatedDateUtc"] > demo_before["updatedDateUtc"]

    filtered = xero.connections(second["access_token"], authEventId=second_event).json()
    assert {c["tenantId"] for c in filtered} == {DEMO_TENANT_ID, plumbing.tenant_id}
    first_event = jwt_claims(first["access_token"])["authentication_event_id"]
    assert xero.connections(second["access_token"], authEventId=first_event).json() == []
    assert xero.connections(second["access_token"], authEventId="nope").status_code == 400


# --- revocation ----------------------------------------------------------------------------


def test_revocation_kills_refresh_token_access_token_and_connections(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    tokens = xero.login()

    response = xero.revoke(tokens["refresh_token"])
    assert response.status_code == 200
    assert response.content == b""

    refreshed = xero.refresh(tokens["refresh_token"])
    assert (refreshed.status_code, _error(refreshed)) == (400, "invalid_grant")
    assert xero.connections(tokens["access_token"]).status_code == 401
    assert emulator.connections() == []
    # Revoking again (or an unknown token) is still 200, as RFC 7009 asks.
    assert xero.revoke(tokens["refresh_token"]).status_code == 200
    assert xero.revoke("never-issued").status_code == 200


def test_revocation_needs_client_authentication(xero: XeroFlow) -> None:
    tokens = xero.login()

    response = xero.revoke(tokens["refresh_token"], auth=(CLIENT_ID, "wrong"))
    assert (response.status_code, _error(response)) == (401, "invalid_client")
    assert xero.refresh(tokens["refresh_token"]).status_code == 200


def test_reconnecting_after_revocation_restores_the_connection(xero: XeroFlow) -> None:
    first = xero.login()
    [before] = xero.connections(first["access_token"]).json()
    xero.revoke(first["refresh_token"])

    second = xero.login()
    [after] = xero.connections(second["access_token"]).json()
    assert after["id"] == before["id"]
    assert after["authEventId"] != before["authEventId"]


# --- one user, several consents: revocation versus removing a connection -------------------
# Xero: the revocation endpoint "revokes a user's refresh token and removes all their
# connections to your app"; DELETE /connections/{id} disconnects one tenant. Tokens are
# separate from the tenants they reach: a token left with no connection still refreshes.


def _two_consents(xero: XeroFlow, emulator: XeroEmulator) -> tuple[dict, dict, str]:
    """The same Xero user consents twice, once per organisation (two Loc8 businesses)."""
    plumbing = emulator.add_organisation("Loc8 Plumbing Pty Ltd").tenant_id
    first = xero.login(tenant_ids=[DEMO_TENANT_ID])
    second = xero.login(tenant_ids=[plumbing])
    return first, second, plumbing


def _connection_to(xero: XeroFlow, tokens: dict, tenant_id: str) -> dict:
    [connection] = [
        c for c in xero.connections(tokens["access_token"]).json() if c["tenantId"] == tenant_id
    ]
    return connection


def test_revoking_one_consent_removes_the_connections_of_every_consent(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    first, second, plumbing = _two_consents(xero, emulator)

    assert xero.revoke(first["refresh_token"]).status_code == 200

    assert emulator.connections() == []
    assert xero.refresh(first["refresh_token"]).status_code == 400
    # The other consent's tokens were not revoked: they refresh, but reach no organisation.
    refreshed = xero.refresh(second["refresh_token"])
    assert refreshed.status_code == 200
    assert xero.connections(refreshed.json()["access_token"]).json() == []
    api = AccountingClient(xero, refreshed.json(), tenant_id=plumbing)
    assert api.get("/Organisation").status_code == 403


def test_deleting_one_connection_leaves_the_users_other_connections(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    first, second, plumbing = _two_consents(xero, emulator)
    demo = _connection_to(xero, first, DEMO_TENANT_ID)

    assert xero.delete_connection(first["access_token"], demo["id"]).status_code == 204

    assert [c.tenant_id for c in emulator.connections()] == [plumbing]
    refreshed = xero.refresh(second["refresh_token"])
    assert refreshed.status_code == 200
    api = AccountingClient(xero, refreshed.json(), tenant_id=plumbing)
    assert api.get("/Organisation").status_code == 200


def test_a_token_whose_connections_are_all_removed_still_refreshes(xero: XeroFlow) -> None:
    tokens = xero.login()
    [connection] = xero.connections(tokens["access_token"]).json()
    assert xero.delete_connection(tokens["access_token"], connection["id"]).status_code == 204

    refreshed = xero.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200
    assert xero.connections(refreshed.json()["access_token"]).json() == []
    api = AccountingClient(xero, refreshed.json())
    assert api.get("/Organisation").status_code == 403


def test_user_disconnecting_in_xero_removes_one_connection_and_keeps_tokens(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    first, second, plumbing = _two_consents(xero, emulator)
    demo = _connection_to(xero, first, DEMO_TENANT_ID)

    assert xero.control("POST", f"/organisations/{DEMO_TENANT_ID}/disconnect").status_code == 204
    assert xero.control("POST", f"/organisations/{DEMO_TENANT_ID}/disconnect").status_code == 404

    assert [c.tenant_id for c in emulator.connections()] == [plumbing]
    # The app finds out when it next removes the connection itself: 404.
    assert xero.delete_connection(first["access_token"], demo["id"]).status_code == 404
    assert xero.refresh(first["refresh_token"]).status_code == 200
    assert xero.refresh(second["refresh_token"]).status_code == 200
