"""The QuickBooks Online emulator served on a real socket, and a consent given at it.

Import the fixtures into a test module (`from tests.support.quickbooks_emulator_fixtures
import qbo_emulator, qbo_server, qbo_tokens`) or use the helpers directly:
`connect(emulator, server.url, realm_id=...)` plays a user connecting one company and
exchanges the code, returning the tokens.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from localdev.emukit import RunningServer, serve_in_thread
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator

CLIENT_ID = "test-quickbooks-client"
CLIENT_SECRET = "test-quickbooks-client-secret-value"
REDIRECT_URI = "https://integrations.loc8.test/v1/oauth/quickbooks/callback"
OTHER_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/quickbooks/callback"
ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
OPENID_SCOPES = "openid email profile"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
TIMEOUT = (2.0, 10.0)


@dataclass(frozen=True)
class QuickBooksTokens:
    access_token: str
    refresh_token: str
    realm_id: str
    id_token: str | None = None

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}


def basic_auth(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> str:
    pair = f"{client_id}:{client_secret}".encode()
    return f"Basic {base64.b64encode(pair).decode('ascii')}"


def new_emulator() -> QuickBooksEmulator:
    return QuickBooksEmulator(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI, OTHER_REDIRECT_URI])


def authorize_url(
    base_url: str,
    *,
    scope: str = ACCOUNTING_SCOPE,
    state: str | None = "state-123",
    redirect_uri: str = REDIRECT_URI,
    **extra: str,
) -> str:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": scope,
        "redirect_uri": redirect_uri,
        **extra,
    }
    if state is not None:
        params["state"] = state
    return f"{base_url}/connect/oauth2?{urlencode(params)}"


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def consented_code(
    emulator: QuickBooksEmulator,
    base_url: str,
    *,
    realm_id: str = DEMO_REALM_ID,
    scope: str = ACCOUNTING_SCOPE,
) -> str:
    """The user connects `realm_id` on the consent page; returns the code from the callback."""
    location = emulator.consent(authorize_url(base_url, scope=scope), realm_id=realm_id)
    callback = query_of(location)
    assert location.startswith(REDIRECT_URI), location
    assert callback["state"] == "state-123"
    return callback["code"]


def token_request(
    base_url: str, form: dict[str, str], *, authorization: str | None = None
) -> requests.Response:
    return requests.post(
        f"{base_url}{TOKEN_PATH}",
        data=form,
        headers={"Authorization": authorization or basic_auth(), "Accept": "application/json"},
        timeout=TIMEOUT,
    )


def exchange(base_url: str, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    return token_request(
        base_url,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
    )


def refresh(base_url: str, refresh_token: str) -> requests.Response:
    return token_request(base_url, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def connect(
    emulator: QuickBooksEmulator,
    base_url: str,
    *,
    realm_id: str = DEMO_REALM_ID,
    scope: str = ACCOUNTING_SCOPE,
) -> QuickBooksTokens:
    """Consent for one company, then the code exchange: the tokens an app would store."""
    code = consented_code(emulator, base_url, realm_id=realm_id, scope=scope)
    answer = exchange(base_url, code)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return QuickBooksTokens(
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        realm_id=realm_id,
        id_token=body.get("id_token"),
    )


@pytest.fixture
def qbo_emulator() -> QuickBooksEmulator:
    return new_emulator()


@pytest.fixture
def qbo_server(qbo_emulator: QuickBooksEmulator) -> Iterator[RunningServer]:
    with serve_in_thread(qbo_emulator.app) as running:
        yield running


@pytest.fixture
def qbo_tokens(qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer) -> QuickBooksTokens:
    """Connected to the seeded AU demo company with the accounting scope."""
    return connect(qbo_emulator, qbo_server.url)
