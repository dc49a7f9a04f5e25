"""The provider registry: profiles known up front, each app's adapters built from its settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pydantic import SecretStr

from chalicelib.adapters.providers import PROVIDERS
from chalicelib.adapters.providers.registry import (
    ProviderAdapters,
    ProviderRegistry,
    SharedServices,
)
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.adapters.providers.xero.settings import XeroSettings
from chalicelib.domain import apps
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import InvalidRequest, InvalidTransition
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from tests.support.fakes import FakeClock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
XERO = XeroSettings(
    client_id="registry-client",
    client_secret_name="xero/client-secret",
    redirect_uri="https://integrations.loc8.test/v1/oauth/xero/callback",
    authorize_url="https://login.app.test/authorize",
    api_url="https://api.app.test",
)

# An app the catalogue lists before its provider is offered.
NOT_YET_OFFERED = apps.AppInfo(key="sage", name="Sage Business Cloud", available=False)


class Lent:
    """What the container lends providers, recording each use."""

    def __init__(self) -> None:
        self.used: list[str] = []
        self.session = requests.Session()

    def shared(self) -> SharedServices:
        return SharedServices(
            clock=FakeClock(NOW),
            timeout=(1.0, 2.0),
            http_session=self._session,
            resolve_secret=self._secret,
            access_token=self._token,
            call_budget=self._call_budget,
        )

    def _call_budget(self) -> Any:
        self.used.append("call_budget")
        raise AssertionError("no provider here draws on a shared call budget")

    def _session(self) -> requests.Session:
        self.used.append("http_session")
        return self.session

    def _secret(self, what: str, value: SecretStr | None, name: str | None) -> str:
        self.used.append(f"secret {name}")
        return "resolved"

    def _token(self, integration: Integration, force_refresh: bool) -> str:
        self.used.append("access_token")
        return "token"


def registry(lent: Lent) -> ProviderRegistry:
    return ProviderRegistry(PROVIDERS, {"xero": XERO}, lent.shared())


def integration(**fields: object) -> Integration:
    return Integration(tenant_id="tenant-a", app="xero", created_at=NOW, updated_at=NOW, **fields)


def test_a_profile_is_known_without_building_anything():
    lent = Lent()
    profile = registry(lent).profile_for("xero")
    assert (profile.key, profile.name, profile.account_code_max_length) == ("xero", "Xero", 10)
    assert lent.used == []


def test_an_app_not_offered_yet_has_no_provider(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(apps, "CATALOGUE", (*apps.CATALOGUE, NOT_YET_OFFERED))
    with pytest.raises(InvalidRequest, match="not available yet"):
        registry(Lent()).auth_for("sage")


def test_the_auth_adapter_uses_the_apps_settings_and_reads_its_secret_only_when_needed():
    lent = Lent()
    providers = registry(lent)
    auth = providers.auth_for("xero")
    url = auth.authorization_url("state-1", "challenge-1")
    assert url.startswith("https://login.app.test/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["registry-client"]
    assert query["redirect_uri"] == [XERO.redirect_uri]
    assert providers.auth_for("xero") is auth
    assert lent.used == ["http_session"]


def test_an_integration_without_an_organisation_gets_no_app_adapter():
    pending = integration(status=IntegrationStatus.PENDING_AUTHORISATION)
    with pytest.raises(InvalidTransition):
        registry(Lent()).app_for(pending)


def test_the_app_adapter_declares_the_apps_profile():
    lent = Lent()
    providers = registry(lent)
    bound = integration(
        status=IntegrationStatus.ACTIVE, organisation=Organisation(id="org-1", name="Demo")
    )
    app = providers.app_for(bound)
    assert app.profile is providers.profile_for("xero")
    assert "access_token" not in lent.used


class BooksSettings(XeroSettings):
    pass


class BooksProvider:
    """A second provider folder's registration, with its own profile and adapters."""

    key = "books"
    profile: AppProfile = replace(XERO_PROFILE, key="books", name="Books", write_batch_size=3)
    settings_type = BooksSettings

    def __init__(self) -> None:
        self.built_with: list[Any] = []

    def build(self, settings: Any, shared: SharedServices) -> ProviderAdapters:
        self.built_with.append(settings)
        return ProviderAdapters(auth=lambda: f"auth for {settings.client_id}", app=lambda i: i.id)


def test_each_registered_provider_builds_its_own_adapters_from_its_own_settings():
    books = BooksProvider()
    books_settings = BooksSettings(client_id="books-client")
    providers = ProviderRegistry(
        [*PROVIDERS, books], {"xero": XERO, "books": books_settings}, Lent().shared()
    )
    assert providers.profile_for("books").write_batch_size == 3
    assert providers.profile_for("xero").write_batch_size == 50
    assert providers.auth_for("books") == "auth for books-client"
    assert books.built_with == [books_settings]
    with pytest.raises(InvalidRequest, match="Unknown app"):
        providers.auth_for("ledger")
