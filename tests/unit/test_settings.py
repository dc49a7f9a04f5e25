"""Settings refuse a deployed stage that would send the browser to a foreign URL."""

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
