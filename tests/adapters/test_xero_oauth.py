"""The Xero OAuth adapter against the Xero emulator over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import AccessRevoked, ProviderRejected, ProviderUnavailable
from chalicelib.domain.oauth_state import pkce_challenge
from tests.support.xero_emulator_fixtures import REDIRECT_URI, VERIFIER, consented_code, xero_oauth


def test_the_consent_url_asks_for_code_flow_with_pkce(xero):
    _emulator, server = xero
    url = xero_oauth(server).authorization_url("s", pkce_challenge(VERIFIER))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == REDIRECT_URI
    assert "offline_access" in query["scope"].split()


def test_exchange_gives_a_token_set_and_the_granted_organisation(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    tokens = oauth.exchange_code(consented_code(emulator, oauth), VERIFIER)
    assert tokens.refresh_token is not None
    assert "offline_access" in tokens.scopes
    [organisation] = oauth.granted_organisations(tokens)
    assert organisation.name == "Demo Company (AU)"
    assert organisation.connection_id


def test_several_organisations_are_all_reported(xero):
    emulator, server = xero
    second = emulator.add_organisation("Second Trade Co")
    oauth = xero_oauth(server)
    tokens = oauth.exchange_code(consented_code(emulator, oauth), VERIFIER)
    names = {org.name for org in oauth.granted_organisations(tokens)}
    assert names == {"Demo Company (AU)", second.name}


def test_a_wrong_verifier_is_rejected(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    with pytest.raises(ProviderRejected):
        oauth.exchange_code(consented_code(emulator, oauth), "w" * 64)


def test_a_wrong_client_secret_is_reported_as_an_operator_problem(xero):
    emulator, server = xero
    oauth = xero_oauth(server, secret="wrong")
    code = consented_code(emulator, xero_oauth(server))
    with pytest.raises(ProviderUnavailable, match="client credentials"):
        oauth.exchange_code(code, VERIFIER)


def test_refresh_rotates_and_the_old_token_dies_after_the_grace(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    first = oauth.exchange_code(consented_code(emulator, oauth), VERIFIER)
    second = oauth.refresh(first)
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    emulator.clock.advance(31 * 60)
    with pytest.raises(AccessRevoked):
        oauth.refresh(first)
    assert oauth.refresh(second).refresh_token is not None


def test_an_expired_access_token_is_refused_by_xero(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    tokens = oauth.exchange_code(consented_code(emulator, oauth), VERIFIER)
    emulator.clock.advance(1801)
    with pytest.raises(AccessRevoked):
        oauth.granted_organisations(tokens)
    assert oauth.granted_organisations(oauth.refresh(tokens))


def test_disconnect_and_revoke_remove_the_connection_and_the_grant(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    tokens = oauth.exchange_code(consented_code(emulator, oauth), VERIFIER)
    [organisation] = oauth.granted_organisations(tokens)
    oauth.disconnect_organisation(tokens, organisation)
    assert oauth.granted_organisations(tokens) == []
    oauth.disconnect_organisation(tokens, organisation)  # already gone: fine
    oauth.revoke(tokens)
    with pytest.raises(AccessRevoked):
        oauth.refresh(tokens)
    oauth.revoke(tokens)  # revoking twice is harmless


def test_a_token_endpoint_outage_is_unavailable_with_retry_after(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    code = consented_code(emulator, oauth)
    emulator.faults.add("POST", "/connect/token", status=503, headers={"Retry-After": "7"})
    with pytest.raises(ProviderUnavailable) as unavailable:
        oauth.exchange_code(code, VERIFIER)
    assert unavailable.value.retry_after_seconds == 7
    assert oauth.exchange_code(code, VERIFIER).refresh_token is not None


def test_a_slow_token_endpoint_times_out_as_unavailable(xero):
    emulator, server = xero
    oauth = xero_oauth(server, timeout=(1.0, 0.2))
    code = consented_code(emulator, oauth)
    emulator.faults.add("POST", "/connect/token", mode="delay", latency_ms=600)
    with pytest.raises(ProviderUnavailable, match="in time"):
        oauth.exchange_code(code, VERIFIER)


def test_an_unreachable_xero_is_unavailable():
    class Nowhere:
        url = "http://127.0.0.1:9"

    with pytest.raises(ProviderUnavailable, match="could not be reached"):
        xero_oauth(Nowhere()).exchange_code("code", VERIFIER)
