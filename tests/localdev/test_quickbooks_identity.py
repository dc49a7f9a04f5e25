"""The emulated Intuit identity service (OAuth 2.0 for QuickBooks Online), driven over
real HTTP like a web backend would, and the API gateway's bearer check in front of
`/v3/company/{realmId}`."""

from __future__ import annotations

import re
from typing import Any

import requests

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_emulator_fixtures import (
    ACCOUNTING_SCOPE,
    CLIENT_ID,
    OPENID_SCOPES,
    REDIRECT_URI,
    REVOKE_PATH,
    TIMEOUT,
    QuickBooksTokens,
    authorize_url,
    basic_auth,
    connect,
    consented_code,
    exchange,
    qbo_emulator,
    qbo_server,
    qbo_tokens,
    query_of,
    refresh,
    token_request,
)

__all__ = ["qbo_emulator", "qbo_server", "qbo_tokens"]  # fixtures used by name below

HOUR = 3600
REFRESH_LIFETIME = 8_726_400


def _get(url: str, **kwargs: Any) -> requests.Response:
    return requests.get(url, allow_redirects=False, timeout=TIMEOUT, **kwargs)


def _company_info(server: RunningServer, tokens: QuickBooksTokens, realm_id: str | None = None):
    realm = realm_id or tokens.realm_id
    return _get(
        f"{server.url}/v3/company/{realm}/companyinfo/{realm}?minorversion=75",
        headers=tokens.bearer,
    )


def _revoke(server: RunningServer, token: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("headers", {"Authorization": basic_auth()})
    return requests.post(
        f"{server.url}{REVOKE_PATH}", json={"token": token}, timeout=TIMEOUT, **kwargs
    )


# --- discovery -------------------------------------------------------------------------


def test_the_discovery_document_names_endpoints_at_the_emulators_own_url(
    qbo_server: RunningServer,
) -> None:
    document = _get(f"{qbo_server.url}/.well-known/openid-configuration").json()

    assert document["issuer"] == f"{qbo_server.url}/op/v1"
    assert document["authorization_endpoint"] == f"{qbo_server.url}/connect/oauth2"
    assert document["token_endpoint"] == f"{qbo_server.url}/oauth2/v1/tokens/bearer"
    assert document["revocation_endpoint"] == f"{qbo_server.url}/v2/oauth2/tokens/revoke"
    assert document["userinfo_endpoint"] == f"{qbo_server.url}/v1/openid_connect/userinfo"
    keys = _get(document["jwks_uri"]).json()["keys"]
    assert [key["kty"] for key in keys] == ["RSA"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    # Intuit's own discovery paths (intuit-oauth's "production"/"sandbox" URLs) answer the same.
    sandbox = _get(f"{qbo_server.url}/.well-known/openid_sandbox_configuration/").json()
    assert sandbox == document


# --- authorize and consent -------------------------------------------------------------


def test_the_consent_page_lists_every_company_to_pick_one(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    qbo_emulator.add_company("Second Sparkies Ltd", "UK", realm_id="9341453050000777")

    page = _get(authorize_url(qbo_server.url))

    assert page.status_code == 200
    radios = re.findall(r'type="radio"[^>]*name="realm_id"\s+value="(\d+)"', page.text)
    assert radios == [DEMO_REALM_ID, "9341453050000777"]
    assert "Loc8 Demo Plumbing Pty Ltd" in page.text
    assert "Second Sparkies Ltd" in page.text


def test_connecting_redirects_with_code_state_and_the_chosen_realm(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    qbo_emulator.add_company("Second Sparkies Ltd", "UK", realm_id="9341453050000777")
    url = authorize_url(qbo_server.url, state="xyz")

    answer = requests.post(
        url,
        data={"decision": "allow", "realm_id": "9341453050000777"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{REDIRECT_URI}?")
    callback = query_of(location)
    assert set(callback) == {"code", "state", "realmId"}
    assert callback["state"] == "xyz"
    assert callback["realmId"] == "9341453050000777"


def test_connecting_needs_exactly_one_known_company(qbo_server: RunningServer) -> None:
    url = authorize_url(qbo_server.url)
    for form in (
        {"decision": "allow"},
        {"decision": "allow", "realm_id": ["9341453050000001", "9341453050000002"]},
        {"decision": "allow", "realm_id": "123"},
    ):
        answer = requests.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)
        assert answer.status_code == 400, form
        assert "Choose one company to connect." in answer.text


def test_cancel_redirects_access_denied_with_the_state(qbo_server: RunningServer) -> None:
    answer = requests.post(
        authorize_url(qbo_server.url, state="s-1"),
        data={"decision": "deny"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert query_of(answer.headers["Location"]) == {"error": "access_denied", "state": "s-1"}


def test_an_unknown_client_or_redirect_uri_gets_a_page_never_a_redirect(
    qbo_server: RunningServer,
) -> None:
    unknown_client = authorize_url(qbo_server.url).replace(CLIENT_ID, "someone-else")
    unregistered = authorize_url(qbo_server.url, redirect_uri="https://evil.example/callback")

    for url in (unknown_client, unregistered):
        answer = _get(url)
        assert answer.status_code == 400
        assert "Location" not in answer.headers
        assert answer.headers["Content-Type"].startswith("text/html")


def test_a_bad_request_from_a_registered_client_is_redirected_with_its_error(
    qbo_server: RunningServer,
) -> None:
    cases = {
        "invalid_scope": authorize_url(qbo_server.url, scope="com.intuit.quickbooks.everything"),
        "unsupported_response_type": authorize_url(qbo_server.url).replace(
            "response_type=code", "response_type=token"
        ),
        # Intuit documents state as required; without it there is nothing to send back.
        "invalid_request": authorize_url(qbo_server.url, state=None),
    }
    for error, url in cases.items():
        location = _get(url).headers["Location"]
        assert location.startswith(REDIRECT_URI)
        assert query_of(location)["error"] == error, url


def test_openid_only_consent_connects_no_company(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    location = qbo_emulator.consent(authorize_url(qbo_server.url, scope=OPENID_SCOPES))

    callback = query_of(location)
    assert "realmId" not in callback
    tokens = exchange(qbo_server.url, callback["code"]).json()
    assert "id_token" in tokens
    # Identity only: the accounting API refuses it for every company (403, code 3100).
    answer = _get(
        f"{qbo_server.url}/v3/company/{DEMO_REALM_ID}/companyinfo/{DEMO_REALM_ID}",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert answer.status_code == 403


# --- token endpoint --------------------------------------------------------------------


def test_the_code_exchange_answers_intuits_token_fields(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    code = consented_code(qbo_emulator, qbo_server.url)

    answer = exchange(qbo_server.url, code)

    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == [
        "x_refresh_token_expires_in",
        "refresh_token",
        "access_token",
        "token_type",
        "expires_in",
    ]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == HOUR
    assert body["x_refresh_token_expires_in"] == REFRESH_LIFETIME
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["intuit_tid"]


def test_a_code_works_once_only(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    code = consented_code(qbo_emulator, qbo_server.url)
    assert exchange(qbo_server.url, code).status_code == 200

    again = exchange(qbo_server.url, code)

    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant"}


def test_a_code_is_bound_to_its_redirect_uri_and_a_wrong_one_spends_it(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    code = consented_code(qbo_emulator, qbo_server.url)

    wrong = exchange(
        qbo_server.url, code, redirect_uri="http://127.0.0.1:8000/v1/oauth/quickbooks/callback"
    )
    right = exchange(qbo_server.url, code)

    assert wrong.json() == {"error": "invalid_grant"}
    assert right.json() == {"error": "invalid_grant"}


def test_a_code_expires_after_five_minutes(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    code = consented_code(qbo_emulator, qbo_server.url)
    qbo_emulator.clock.advance(5 * 60)

    assert exchange(qbo_server.url, code).json() == {"error": "invalid_grant"}


def test_a_wrong_client_secret_is_invalid_client(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    code = consented_code(qbo_emulator, qbo_server.url)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    answer = token_request(qbo_server.url, form, authorization=basic_auth(CLIENT_ID, "guess"))

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    # The failed attempt did not spend the code: the real client still gets its tokens.
    assert exchange(qbo_server.url, code).status_code == 200


def test_the_token_endpoint_takes_a_form_only(qbo_server: RunningServer) -> None:
    answer = requests.post(
        f"{qbo_server.url}/oauth2/v1/tokens/bearer",
        json={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": basic_auth()},
        timeout=TIMEOUT,
    )

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request"}


def test_an_unknown_grant_type_is_refused(qbo_server: RunningServer) -> None:
    answer = token_request(qbo_server.url, {"grant_type": "client_credentials"})

    assert answer.json() == {"error": "unsupported_grant_type"}


# --- refresh tokens --------------------------------------------------------------------


def test_every_refresh_rolls_the_refresh_token_and_spends_the_old_one(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    first = refresh(qbo_server.url, qbo_tokens.refresh_token)
    assert first.status_code == 200
    newest = first.json()["refresh_token"]
    assert newest != qbo_tokens.refresh_token
    assert "id_token" not in first.json()

    reused = refresh(qbo_server.url, qbo_tokens.refresh_token)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant"}

    assert refresh(qbo_server.url, newest).status_code == 200


def test_a_refreshed_access_token_reaches_the_company(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    body = refresh(qbo_server.url, qbo_tokens.refresh_token).json()
    tokens = QuickBooksTokens(body["access_token"], body["refresh_token"], qbo_tokens.realm_id)

    assert _company_info(qbo_server, tokens).status_code == 200


def test_a_refresh_token_unused_for_its_lifetime_expires(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    qbo_emulator.clock.advance(REFRESH_LIFETIME)

    assert refresh(qbo_server.url, qbo_tokens.refresh_token).json() == {"error": "invalid_grant"}


def test_a_refresh_just_before_expiry_gives_a_full_new_lifetime(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    qbo_emulator.clock.advance(REFRESH_LIFETIME - 60)
    body = refresh(qbo_server.url, qbo_tokens.refresh_token).json()
    assert body["x_refresh_token_expires_in"] == REFRESH_LIFETIME

    qbo_emulator.clock.advance(REFRESH_LIFETIME - 60)
    assert refresh(qbo_server.url, body["refresh_token"]).status_code == 200


def test_the_hard_expiry_is_answered_when_asked_for(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    answer = requests.post(
        f"{qbo_server.url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": qbo_tokens.refresh_token},
        headers={"Authorization": basic_auth(), "x-include-refresh-token-hard-expires-in": "true"},
        timeout=TIMEOUT,
    )

    five_years = 5 * 365 * 86_400
    assert five_years - 60 <= answer.json()["x_refresh_token_hard_expires_in"] <= five_years


# --- the API gateway's bearer check ----------------------------------------------------


def test_an_access_token_reaches_its_company_for_an_hour(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    assert _company_info(qbo_server, qbo_tokens).status_code == 200
    qbo_emulator.clock.advance(HOUR)

    expired = _company_info(qbo_server, qbo_tokens)

    assert expired.status_code == 401
    error = expired.json()["fault"]["error"][0]
    assert error["message"] == "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    assert error["code"] == "3200"
    assert error["detail"] == "Token expired"
    assert expired.json()["fault"]["type"] == "AUTHENTICATION"
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    assert qbo_tokens.access_token not in expired.text


def test_a_missing_or_unknown_token_is_401(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    url = f"{qbo_server.url}/v3/company/{DEMO_REALM_ID}/companyinfo/{DEMO_REALM_ID}"
    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer nope"},
        {"Authorization": f"Basic {qbo_tokens.access_token}"},
    ):
        answer = _get(url, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json()["fault"]["error"][0]["code"] == "3200"


def test_a_token_of_one_company_is_forbidden_at_another(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    other = qbo_emulator.add_company("Second Sparkies Ltd", "UK")

    answer = _company_info(qbo_server, qbo_tokens, realm_id=other.realm_id)

    assert answer.status_code == 403
    error = answer.json()["fault"]["error"][0]
    assert error["code"] == "3100"
    assert "ApplicationAuthorizationFailed" in error["message"]


def test_each_company_needs_its_own_consent(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    other = qbo_emulator.add_company("Second Sparkies Ltd", "UK")
    second = connect(qbo_emulator, qbo_server.url, realm_id=other.realm_id)

    assert _company_info(qbo_server, second).status_code == 200
    # Connecting another company leaves the first connection as it was.
    assert _company_info(qbo_server, qbo_tokens).status_code == 200


def test_each_consent_is_a_connection_of_its_own_even_for_the_same_company(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    newer = connect(qbo_emulator, qbo_server.url)

    assert _company_info(qbo_server, newer).status_code == 200
    assert _company_info(qbo_server, qbo_tokens).status_code == 200
    # Revoking one (e.g. one Loc8 tenant disconnecting) leaves the other connected.
    assert _revoke(qbo_server, qbo_tokens.refresh_token).status_code == 200
    assert _company_info(qbo_server, qbo_tokens).status_code == 401
    assert _company_info(qbo_server, newer).status_code == 200


# --- revoke ----------------------------------------------------------------------------


def test_revoking_the_refresh_token_ends_the_connection(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    answer = _revoke(qbo_server, qbo_tokens.refresh_token)

    assert answer.status_code == 200
    assert answer.content == b""
    assert _company_info(qbo_server, qbo_tokens).status_code == 401
    assert refresh(qbo_server.url, qbo_tokens.refresh_token).json() == {"error": "invalid_grant"}


def test_revoking_the_access_token_ends_the_connection_too(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    assert _revoke(qbo_server, qbo_tokens.access_token).status_code == 200

    assert refresh(qbo_server.url, qbo_tokens.refresh_token).json() == {"error": "invalid_grant"}


def test_revoking_needs_the_apps_credentials_and_a_json_token(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    no_auth = _revoke(qbo_server, qbo_tokens.refresh_token, headers={})
    wrong = _revoke(
        qbo_server,
        qbo_tokens.refresh_token,
        headers={"Authorization": basic_auth(CLIENT_ID, "guess")},
    )
    form = requests.post(
        f"{qbo_server.url}{REVOKE_PATH}",
        data={"token": qbo_tokens.refresh_token},
        headers={"Authorization": basic_auth()},
        timeout=TIMEOUT,
    )

    assert (no_auth.status_code, wrong.status_code, form.status_code) == (401, 401, 400)
    # None of them revoked anything.
    assert _company_info(qbo_server, qbo_tokens).status_code == 200


def test_revoking_an_unknown_token_is_accepted_and_changes_nothing(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    assert _revoke(qbo_server, "AB11not-a-token").status_code == 200

    assert _company_info(qbo_server, qbo_tokens).status_code == 200


# --- userinfo --------------------------------------------------------------------------


def test_userinfo_answers_the_claims_the_scopes_allow(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    tokens = connect(qbo_emulator, qbo_server.url, scope=f"{ACCOUNTING_SCOPE} openid email")
    url = f"{qbo_server.url}/v1/openid_connect/userinfo"

    body = _get(url, headers=tokens.bearer).json()

    assert set(body) == {"sub", "email", "emailVerified"}
    accounting_only = connect(qbo_emulator, qbo_server.url)
    assert _get(url, headers=accounting_only.bearer).status_code == 403
    assert _get(url).status_code == 401


# --- controls --------------------------------------------------------------------------


def test_expiring_tokens_by_control_gives_the_401_an_hour_would(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    answer = requests.post(f"{qbo_server.url}/_emulator/tokens/expire", json={}, timeout=TIMEOUT)

    assert answer.json() == {"expired": 1}
    assert _company_info(qbo_server, qbo_tokens).json()["fault"]["error"][0]["detail"] == (
        "Token expired"
    )
    # The refresh token still works: this is an expiry, not a disconnection.
    assert refresh(qbo_server.url, qbo_tokens.refresh_token).status_code == 200


def test_disconnecting_in_quickbooks_kills_the_connections_tokens(
    qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    url = f"{qbo_server.url}/_emulator/companies/{DEMO_REALM_ID}/disconnect"

    assert requests.post(url, timeout=TIMEOUT).status_code == 204
    assert _company_info(qbo_server, qbo_tokens).status_code == 401
    assert refresh(qbo_server.url, qbo_tokens.refresh_token).json() == {"error": "invalid_grant"}
    assert requests.post(url, timeout=TIMEOUT).status_code == 404


def test_companies_added_by_control_are_offered_on_the_consent_page(
    qbo_server: RunningServer,
) -> None:
    added = requests.post(
        f"{qbo_server.url}/_emulator/companies",
        json={"name": "Toronto Taps Inc", "country": "CA"},
        timeout=TIMEOUT,
    )

    assert added.status_code == 201
    realm_id = added.json()["realmId"]
    assert f'value="{realm_id}"' in _get(authorize_url(qbo_server.url)).text
    refused = requests.post(f"{qbo_server.url}/_emulator/companies", json={}, timeout=TIMEOUT)
    assert refused.status_code == 400


def test_reset_forgets_consents_and_extra_companies(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    qbo_emulator.add_company("Second Sparkies Ltd", "UK")

    assert requests.post(f"{qbo_server.url}/_emulator/reset", timeout=TIMEOUT).status_code == 200

    assert [company.realm_id for company in qbo_emulator.companies.list()] == [DEMO_REALM_ID]
    assert _company_info(qbo_server, qbo_tokens).status_code == 401
    assert requests.get(f"{qbo_server.url}/_emulator/state", timeout=TIMEOUT).json()["grants"] == []


def test_identity_calls_are_counted_per_endpoint(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    refresh(qbo_server.url, qbo_tokens.refresh_token)

    calls = qbo_emulator.calls
    assert calls["POST /oauth2/v1/tokens/bearer"] == 2
    assert calls["POST /connect/oauth2"] == 1


# --- faults ----------------------------------------------------------------------------


def test_a_lost_refresh_answer_leaves_the_used_token_spent(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    qbo_emulator.faults.add("POST", "/oauth2/v1/tokens/bearer", mode="commit_then_drop")

    lost = refresh(qbo_server.url, qbo_tokens.refresh_token)
    retried = refresh(qbo_server.url, qbo_tokens.refresh_token)

    assert lost.status_code == 504
    assert lost.headers["Content-Type"].startswith("text/html")
    # Strict rotation: the refresh happened, so the token sent is spent; the app reconnects.
    assert retried.json() == {"error": "invalid_grant"}


def test_injected_api_faults_carry_intuits_bodies(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, qbo_tokens: QuickBooksTokens
) -> None:
    path = "/v3/company/{realmId}/companyinfo/{id}"
    qbo_emulator.faults.add("GET", path, status=429)
    qbo_emulator.faults.add("GET", path, status=503)

    throttled = _company_info(qbo_server, qbo_tokens)
    unavailable = _company_info(qbo_server, qbo_tokens)

    assert throttled.status_code == 429
    assert throttled.json()["Fault"]["Error"][0]["code"] == "3001"
    assert unavailable.status_code == 503
    assert unavailable.json()["Fault"]["type"] == "SystemFault"
    assert _company_info(qbo_server, qbo_tokens).status_code == 200


# --- configuration ---------------------------------------------------------------------


def test_the_registered_app_and_limits_come_from_the_environment() -> None:
    emulator = QuickBooksEmulator.from_env(
        {
            "QUICKBOOKS_EMULATOR_CLIENT_ID": "stack-client",
            "QUICKBOOKS_EMULATOR_CLIENT_SECRET": "stack-secret",
            "QUICKBOOKS_EMULATOR_REDIRECT_URI": "http://127.0.0.1:9000/cb, http://localhost:9000/cb",
            "QUICKBOOKS_RATE_LIMIT_MINUTE": "7",
        }
    )

    app = emulator.registered_app
    assert (app.client_id, app.client_secret) == ("stack-client", "stack-secret")
    assert app.redirect_uris == ("http://127.0.0.1:9000/cb", "http://localhost:9000/cb")
    assert emulator.limits.limits.per_minute == 7
