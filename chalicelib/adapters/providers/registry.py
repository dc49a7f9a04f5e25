"""Maps an app key to its adapters, building each on first use."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.apps import available_app
from chalicelib.ports import AccountingAuth


class ProviderRegistry:
    def __init__(self, auth_factories: dict[str, Callable[[], AccountingAuth]]) -> None:
        self._auth_factories = auth_factories
        self._auths: dict[str, AccountingAuth] = {}

    def auth_for(self, app: str) -> AccountingAuth:
        if app not in self._auths:
            available_app(app)
            self._auths[app] = self._auth_factories[app]()
        return self._auths[app]
