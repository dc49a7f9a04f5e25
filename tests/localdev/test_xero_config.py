"""How the emulated app registration is configured."""

from __future__ import annotations

import pytest

from localdev.xero import (
    DEFAULT_CLIENT_ID,
    DEFAULT_REDIRECT_URI,
    XeroEmulator,
)


def test_from_env_defaults_to_the_local_app() -> None:
    app = XeroEmulator.from_env({}).registered_app
    assert app.client_id == DEFAULT_CLIENT_ID == "loc8-local-client"
    assert app.client_secret == "loc8-local-secret"
    assert app.redirect_uris == (DEFAULT_REDIRECT_URI,)


def test_from_env_reads_a_comma_separated_redirect_list() -> None:
    env = {
        "XERO_CLIENT_ID": "id-1",
        "XERO_CLIENT_SECRET": "secret-1",
        "XERO_REDIRECT_URI": "http://127.0.0.1:8000/cb, https://app.example.com/cb",
    }
    app = XeroEmulator.from_env(env).registered_app
    assert (app.client_id, app.client_secret) == ("id-1", "secret-1")
    assert app.redirect_uris == ("http://127.0.0.1:8000/cb", "https://app.example.com/cb")


@pytest.mark.parametrize(
    "uris",
    [
        [],
        ["https://*.example.com/cb"],
        ["myapp://callback"],
        ["https://app.example.com/cb#frag"],
        [f"https://app.example.com/cb/{n}" for n in range(51)],
    ],
)
def test_redirect_uris_follow_xero_rules(uris: list[str]) -> None:
    with pytest.raises(ValueError, match="redirect URI"):
        XeroEmulator(client_id="id", client_secret="secret", redirect_uris=uris)
