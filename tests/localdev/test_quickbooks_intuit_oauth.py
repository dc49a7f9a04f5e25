"""Intuit's own OAuth client, intuit-oauth (intuitlib), unchanged against the emulator:
its `environment` is the emulator's discovery URL, and everything else (authorize URL,
token, refresh, revoke, userinfo, id token verification by JWKS) follows from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TIMEOUT,
    qbo_emulator,
    qbo_server,
    query_of,
)

__all__ = ["qbo_emulator", "qbo_server"]  # fixtures used by name below

SCOPES = [Scopes.ACCOUNTING, Scopes.OPENID, Scopes.EMAIL, Scopes.PROFILE]


@pytest.fixture
def auth_client(qbo_server: RunningServer) -> Iterator[AuthClient]:
    client = AuthClient(
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT_URI,
        environment=f"{qbo_server.url}/.well-known/openid-configuration",
    )
    yield client
    client.close()


def _connect(
    emulator: QuickBooksEmulator, client: AuthClient, realm_id: str = DEMO_REALM_ID
) -> None:
    """The app's connect button, the user's consent, and the app's callback handler."""
    url = client.get_authorization_url(SCOPES)
    callback = query_of(emulator.consent(url, realm_id=realm_id))
    assert callback["state"] == client.state_token
    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])


def _company_name(server: RunningServer, client: AuthClient) -> requests.Response:
    realm = client.realm_id
    return requests.get(
        f"{server.url}/v3/company/{realm}/companyinfo/{realm}?minorversion=75",
        headers={"Authorization": f"Bearer {client.access_token}", "Accept": "application/json"},
        timeout=TIMEOUT,
    )


def test_the_client_finds_every_endpoint_from_the_discovery_url(
    qbo_server: RunningServer, auth_client: AuthClient
) -> None:
    assert auth_client.auth_endpoint == f"{qbo_server.url}/connect/oauth2"
    assert auth_client.token_endpoint == f"{qbo_server.url}/oauth2/v1/tokens/bearer"
    assert auth_client.revoke_endpoint == f"{qbo_server.url}/v2/oauth2/tokens/revoke"
    assert auth_client.jwks_uri == f"{qbo_server.url}/op/v1/jwks"


def test_connecting_gives_tokens_a_verified_id_token_and_the_company(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, auth_client: AuthClient
) -> None:
    other = qbo_emulator.add_company("Second Sparkies Ltd", "UK")

    _connect(qbo_emulator, auth_client, realm_id=other.realm_id)

    assert auth_client.realm_id == other.realm_id
    assert auth_client.expires_in == 3600
    assert auth_client.x_refresh_token_expires_in == 8_726_400
    # intuitlib keeps an id token only once it verified iss, aud, exp and the RS256
    # signature against the JWKS the discovery document names.
    assert auth_client.id_token is not None
    answer = _company_name(qbo_server, auth_client)
    assert answer.status_code == 200
    assert answer.json()["CompanyInfo"]["CompanyName"] == "Second Sparkies Ltd"


def test_refresh_stores_the_newest_refresh_token_and_the_old_one_is_spent(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, auth_client: AuthClient
) -> None:
    _connect(qbo_emulator, auth_client)
    first_refresh, first_access = auth_client.refresh_token, auth_client.access_token

    auth_client.refresh()

    assert auth_client.refresh_token != first_refresh
    assert auth_client.access_token != first_access
    assert _company_name(qbo_server, auth_client).status_code == 200
    with pytest.raises(AuthClientError) as refused:
        auth_client.refresh(refresh_token=first_refresh)
    assert refused.value.status_code == 400
    assert b"invalid_grant" in refused.value.content
    assert refused.value.intuit_tid


def test_the_refresh_tokens_hard_expiry_is_read_when_opted_in(
    qbo_emulator: QuickBooksEmulator, auth_client: AuthClient
) -> None:
    _connect(qbo_emulator, auth_client)
    auth_client.include_refresh_token_hard_expires_in = True

    auth_client.refresh()

    five_years = 5 * 365 * 86_400
    assert five_years - 60 <= auth_client.x_refresh_token_hard_expires_in <= five_years


def test_an_expired_access_token_is_401_until_refreshed(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, auth_client: AuthClient
) -> None:
    _connect(qbo_emulator, auth_client)
    qbo_emulator.clock.advance(3600)

    assert _company_name(qbo_server, auth_client).status_code == 401
    auth_client.refresh()
    assert _company_name(qbo_server, auth_client).status_code == 200


def test_revoke_disconnects_the_company(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, auth_client: AuthClient
) -> None:
    _connect(qbo_emulator, auth_client)

    assert auth_client.revoke() is True

    assert _company_name(qbo_server, auth_client).status_code == 401
    with pytest.raises(AuthClientError) as refused:
        auth_client.refresh()
    assert refused.value.status_code == 400


def test_user_info_answers_the_signed_in_user(
    qbo_emulator: QuickBooksEmulator, auth_client: AuthClient
) -> None:
    _connect(qbo_emulator, auth_client)

    info = auth_client.get_user_info().json()

    assert info["email"] == qbo_emulator.state.user.email
    assert info["givenName"] == qbo_emulator.state.user.given_name


def test_a_wrong_client_secret_is_refused(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    client = AuthClient(
        CLIENT_ID,
        "not-the-secret",
        REDIRECT_URI,
        f"{qbo_server.url}/.well-known/openid-configuration",
    )
    callback = query_of(qbo_emulator.consent(client.get_authorization_url(SCOPES)))

    with pytest.raises(AuthClientError) as refused:
        client.get_bearer_token(callback["code"], realm_id=callback["realmId"])

    assert refused.value.status_code == 401
    assert client.access_token is None
    client.close()
