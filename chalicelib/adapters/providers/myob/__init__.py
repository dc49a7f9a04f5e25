"""MYOB Business (AccountRight online company files): its registration, which builds
the OAuth and AccountRight API adapters.

Importing this package loads no HTTP client: `build` returns factories that import
them when the registry first asks for one. Every adapter draws its calls from one
budget per API key (MYOB limits the key, not the company file): the service's shared
budget when the container lends one, else an even pace in this process.
"""

from __future__ import annotations

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

    @property
    def profile(self) -> AppProfile:
        return MYOB_PROFILE

    @property
    def settings_type(self) -> type[MyobSettings]:
        from chalicelib.adapters.providers.myob.settings import MyobSettings

        return MyobSettings

    def build(self, settings: MyobSettings, shared: SharedServices) -> ProviderAdapters:
        pacer = _pacer(settings.client_id, shared)

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


def _pacer(api_key: str, shared: SharedServices) -> Any:
    """A factory of pacers drawing on the key's budget: the shared one (every Lambda)
    when the container lends it, else one even pace for this process."""
    local: list[Any] = []

    def make() -> Pacer:
        from chalicelib.adapters.providers.myob import limits

        lend = getattr(shared, "call_budget", None)
        if lend is not None:
            from chalicelib.domain.call_budget import CallRate

            rate = CallRate(
                per_second=limits.SHARED_PER_SECOND,
                burst=limits.SHARED_BURST,
                per_day=limits.SHARED_PER_DAY,
            )
            budget = lend()
            name = limits.budget_name(api_key)
            return limits.Pacer(lambda: budget.take(name, 1, rate))
        if not local:
            local.append(limits.LocalPace())
        return limits.Pacer(local[0].take)

    return make


MYOB = MyobProvider()
