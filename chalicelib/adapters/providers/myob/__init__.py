"""MYOB Business (AccountRight online company files): its registration, which builds
the OAuth and AccountRight API adapters.

Importing this package loads no HTTP client: `build` returns factories that import
them when the registry first asks for one. Every adapter draws its calls from one
budget per API key (MYOB limits the key, not the company file), shared by every Lambda.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.providers.myob.profile import MYOB_PROFILE
from chalicelib.adapters.providers.registry import ProviderAdapters, SharedServices
from chalicelib.domain.app_profile import AppProfile

if TYPE_CHECKING:
    from chalicelib.adapters.providers.myob.accounting import MyobAccounting
    from chalicelib.adapters.providers.myob.limits import Pacer
    from chalicelib.adapters.providers.myob.oauth import MyobOAuth
    from chalicelib.adapters.providers.myob.settings import MyobSettings
    from chalicelib.domain.integration import Integration


class MyobProvider:
    key = "myob"

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        # How a pacer waits its turn; a test on a frozen clock moves its clock instead.
        self._sleep = sleep

    @property
    def profile(self) -> AppProfile:
        return MYOB_PROFILE

    @property
    def settings_type(self) -> type[MyobSettings]:
        from chalicelib.adapters.providers.myob.settings import MyobSettings

        return MyobSettings

    def build(self, settings: MyobSettings, shared: SharedServices) -> ProviderAdapters:
        pacer = _pacer(settings.client_id, shared, self._sleep)

        def auth() -> MyobOAuth:
            from chalicelib.adapters.providers.myob.oauth import MyobOAuth

            def client_secret() -> str:
                return shared.resolve_secret(
                    "MYOB Business API secret",
                    settings.client_secret,
                    settings.client_secret_name,
                )

            return MyobOAuth(
                client_id=settings.client_id,
                client_secret=client_secret,
                redirect_uri=settings.redirect_uri,
                scopes=settings.scopes,
                authorize_url=settings.authorize_url,
                token_url=settings.token_url,
                api_url=settings.api_url,
                prompt=settings.prompt,
                timeout=shared.timeout,
                clock=shared.clock,
                pacer=pacer(),
                session=shared.http_session(),
            )

        def app(integration: Integration) -> MyobAccounting:
            from chalicelib.adapters.providers.myob.accounting import MyobAccounting
            from chalicelib.adapters.providers.myob.client import MyobClient

            assert integration.organisation is not None  # the registry checks it first

            def access_token(force_refresh: bool) -> str:
                return shared.access_token(integration, force_refresh)

            client = MyobClient(
                api_url=settings.api_url,
                company_file_id=integration.organisation.id,
                api_key=settings.client_id,
                access_token=access_token,
                timeout=shared.timeout,
                session=shared.http_session(),
                pacer=pacer(),
            )
            return MyobAccounting(client=client, now=shared.clock.now)

        return ProviderAdapters(auth=auth, app=app)


def _pacer(api_key: str, shared: SharedServices, sleep: Callable[[float], None]) -> Any:
    """A factory of pacers drawing on the key's one budget, shared by every Lambda."""

    def make() -> Pacer:
        from chalicelib.adapters.providers.myob import limits

        budget = shared.call_budget()
        name = limits.budget_name(api_key)
        return limits.Pacer(lambda: budget.take(name, 1, limits.SHARED_RATE), sleep=sleep)

    return make


MYOB = MyobProvider()
