"""How a provider folder plugs in, and the registry that maps an app key to its adapters.

Each folder under `providers/` exposes one `Provider`: its profile, its settings model
and `build`, which turns its settings and what the container shares into adapter
factories. The registry calls a factory on first use, so a request pays only for the
app it talks to, and nothing here imports an HTTP client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.domain.apps import available_app
from chalicelib.domain.errors import InvalidTransition

if TYPE_CHECKING:
    import requests
    from pydantic import SecretStr
    from pydantic_settings import BaseSettings

    from chalicelib.domain.app_profile import AppProfile
    from chalicelib.domain.integration import Integration
    from chalicelib.ports import AccountingApp, AccountingAuth, Clock, SharedCallBudget


@dataclass(frozen=True)
class SharedServices:
    """What the container lends every provider; each is built on first use."""

    clock: Clock
    timeout: tuple[float, float]
    http_session: Callable[[], requests.Session]
    # (what, plain value, Secrets Manager name) -> the secret; names a missing one.
    resolve_secret: Callable[[str, SecretStr | None, str | None], str]
    # (integration, force_refresh) -> a current access token, refreshed single-flight.
    access_token: Callable[[Integration, bool], str]
    # Call rates all of the service's Lambdas share (an app's per-key limit).
    call_budget: Callable[[], SharedCallBudget]


@dataclass(frozen=True)
class ProviderAdapters:
    auth: Callable[[], AccountingAuth]
    # Only called for an integration bound to an organisation.
    app: Callable[[Integration], AccountingApp]


class Provider(Protocol):
    """One provider folder's registration."""

    @property
    def key(self) -> str:
        """The app's catalogue key (`chalicelib.domain.apps`)."""

    @property
    def profile(self) -> AppProfile: ...

    @property
    def settings_type(self) -> type[BaseSettings]:
        """Its settings model, read from the environment when none is given."""

    def build(self, settings: Any, shared: SharedServices) -> ProviderAdapters: ...


class ProviderRegistry:
    def __init__(
        self,
        providers: Sequence[Provider],
        settings: Mapping[str, BaseSettings],
        shared: SharedServices,
    ) -> None:
        self._providers = {provider.key: provider for provider in providers}
        self._settings = settings
        self._shared = shared
        self._adapters: dict[str, ProviderAdapters] = {}
        self._auths: dict[str, AccountingAuth] = {}

    def profile_for(self, app: str) -> AppProfile:
        return self._provider(app).profile

    def auth_for(self, app: str) -> AccountingAuth:
        if app not in self._auths:
            self._auths[app] = self._adapters_for(app).auth()
        return self._auths[app]

    def app_for(self, integration: Integration) -> AccountingApp:
        adapters = self._adapters_for(integration.app)
        integration.ensure_configurable()
        if integration.organisation is None:
            raise InvalidTransition("The integration has no organisation yet.")
        return adapters.app(integration)

    def _provider(self, app: str) -> Provider:
        provider = self._providers.get(app)
        if provider is None:
            # The catalogue names the problem: an unknown app, or one not offered yet.
            info = available_app(app)
            raise LookupError(f"No provider is registered for {info.name}.")
        return provider

    def _adapters_for(self, app: str) -> ProviderAdapters:
        if app not in self._adapters:
            provider = self._provider(app)
            settings = self._settings.get(app)
            if settings is None:
                settings = provider.settings_type()
            self._adapters[app] = provider.build(settings, self._shared)
        return self._adapters[app]
