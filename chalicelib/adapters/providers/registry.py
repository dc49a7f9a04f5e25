"""Maps an app key to its adapters, building each on first use."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.apps import available_app
from chalicelib.domain.integration import Integration
from chalicelib.ports import AccountingApp, AccountingAuth


class ProviderRegistry:
    def __init__(
        self,
        auth_factories: dict[str, Callable[[], AccountingAuth]],
        settings_factories: dict[str, Callable[[Integration], AccountingApp]],
    ) -> None:
        self._auth_factories = auth_factories
        self._settings_factories = settings_factories
        self._auths: dict[str, AccountingAuth] = {}

    def auth_for(self, app: str) -> AccountingAuth:
        if app not in self._auths:
            available_app(app)
            self._auths[app] = self._auth_factories[app]()
        return self._auths[app]

    def app_for(self, integration: Integration) -> AccountingApp:
        available_app(integration.app)
        integration.ensure_configurable()
        return self._settings_factories[integration.app](integration)
