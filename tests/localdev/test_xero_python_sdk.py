"""Xero's own Python SDK works against the emulator (a real client, not our test helper)."""

from __future__ import annotations

from typing import Any

import pytest

from localdev.serving import RunningServer
from tests.support.xero_flow import CLIENT_ID, CLIENT_SECRET, XeroFlow

xero_python = pytest.importorskip("xero_python")

from xero_python.api_client import ApiClient, Configuration  # noqa: E402
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi  # noqa: E402
from xero_python.identity import IdentityApi  # noqa: E402


def test_sdk_lists_refreshes_disconnects_and_revokes(
    xero: XeroFlow, server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK hard-codes identity.xero.com on the class; point it at the emulator.
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{server.url}/connect/token")
    monkeypatch.setattr(TokenApi, "revoke_token_url", f"{server.url}/connect/revocation")
    tokens = xero.login()
    tokens["scope"] = tokens["scope"].split()
    store: dict[str, Any] = {}
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda token: store.__setitem__("token", token),
    )
    client.set_oauth2_token(tokens)
    identity = IdentityApi(client, base_url=server.url)

    [connection] = identity.get_connections()
    assert connection.tenant_name == "Demo Company (AU)"
    assert connection.created_date_utc.tzinfo is not None

    refreshed = client.refresh_oauth2_token()
    assert refreshed["refresh_token"] != tokens["refresh_token"]

    identity.delete_connection(connection.id)
    assert identity.get_connections() == []

    client.revoke_oauth2_token()
    assert xero.refresh(refreshed["refresh_token"]).json() == {"error": "invalid_grant"}
