"""Settings: deployed stages return only to their web client; providers read their own variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.settings import Settings


def test_a_deployed_stage_returns_only_to_its_own_https_web_client():
    settings = Settings(
        stage="prod",
        web_return_url="https://app.loc8.example/settings/integrations",
        cors_allowed_origins=["https://app.loc8.example"],
    )
    assert settings.web_return_url.startswith("https://app.loc8.example/")


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/steal", "http://app.loc8.example/settings/integrations"],
)
def test_a_foreign_or_plain_http_return_url_is_refused(url):
    with pytest.raises(ValidationError, match="WEB_RETURN_URL"):
        Settings(
            stage="prod", web_return_url=url, cors_allowed_origins=["https://app.loc8.example"]
        )


def test_the_local_stack_may_use_plain_http():
    assert Settings(stage="local", web_return_url="http://127.0.0.1:8100/return").stage == "local"


def test_xero_keeps_reading_its_environment_variables(monkeypatch):
    monkeypatch.setenv("XERO_CLIENT_ID", "client-from-env")
    monkeypatch.setenv("XERO_CLIENT_SECRET_NAME", "loc8-integrations/dev/xero-client-secret")
    monkeypatch.setenv("XERO_SCOPES", "openid, offline_access accounting.settings")
    monkeypatch.setenv("XERO_API_URL", "http://127.0.0.1:9999")
    xero = Settings().providers["xero"]
    assert xero.client_id == "client-from-env"
    assert xero.client_secret_name == "loc8-integrations/dev/xero-client-secret"
    assert xero.scopes == ["openid", "offline_access", "accounting.settings"]
    assert xero.api_url == "http://127.0.0.1:9999"


def test_every_variable_the_service_reads_is_listed():
    names = Settings.environment_variables()
    assert {
        "TABLE_NAME",
        "WEB_RETURN_URL",
        "XERO_CLIENT_ID",
        "XERO_CLIENT_SECRET",
        "XERO_CLIENT_SECRET_NAME",
        "XERO_REDIRECT_URI",
        "XERO_SCOPES",
        "XERO_AUTHORIZE_URL",
        "XERO_TOKEN_URL",
        "XERO_REVOCATION_URL",
        "XERO_API_URL",
    } <= names
    assert "PROVIDERS" not in names
