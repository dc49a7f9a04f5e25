"""QuickBooks Online: its registration, which builds the OAuth and Accounting API adapters.

Importing this package loads no HTTP client: `build` returns factories that import
them when the registry first asks for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.adapters.providers.registry import ProviderAdapters, SharedServices
from chalicelib.domain.app_profile import AppProfile

if TYPE_CHECKING:
    from chalicelib.adapters.providers.quickbooks.accounting import QuickBooksAccounting
    from chalicelib.adapters.providers.quickbooks.oauth import QuickBooksOAuth
    from chalicelib.adapters.providers.quickbooks.settings import QuickBooksSettings
    from chalicelib.domain.integration import Integration


class QuickBooksProvider:
    key = "quickbooks"

    @property
    def profile(self) -> AppProfile:
        return QUICKBOOKS_PROFILE

    @property
    def settings_type(self) -> type[QuickBooksSettings]:
        from chalicelib.adapters.providers.quickbooks.settings import QuickBooksSettings

        return QuickBooksSettings

    def build(self, settings: QuickBooksSettings, shared: SharedServices) -> ProviderAdapters:
        def auth() -> QuickBooksOAuth:
            from chalicelib.adapters.providers.quickbooks.oauth import QuickBooksOAuth

            def client_secret() -> str:
                return shared.resolve_secret(
                    "QuickBooks Online client secret",
                    settings.client_secret,
                    settings.client_secret_name,
                )

            return QuickBooksOAuth(
                client_id=settings.client_id,
                client_secret=client_secret,
                redirect_uri=settings.redirect_uri,
                scopes=settings.scopes,
                authorize_url=settings.authorize_url,
                token_url=settings.token_url,
                revocation_url=settings.revocation_url,
                api_url=settings.api_url,
                minor_version=settings.minor_version,
                timeout=shared.timeout,
                clock=shared.clock,
                session=shared.http_session(),
            )

        def app(integration: Integration) -> QuickBooksAccounting:
            from chalicelib.adapters.providers.quickbooks.accounting import QuickBooksAccounting
            from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient

            assert integration.organisation is not None  # the registry checks it first
            realm_id = integration.organisation.id

            def access_token(force_refresh: bool) -> str:
                return shared.access_token(integration, force_refresh)

            client = QuickBooksClient(
                api_url=settings.api_url,
                realm_id=realm_id,
                access_token=access_token,
                timeout=shared.timeout,
                session=shared.http_session(),
                minor_version=settings.minor_version,
            )
            return QuickBooksAccounting(client=client, realm_id=realm_id, now=shared.clock.now)

        return ProviderAdapters(auth=auth, app=app)


QUICKBOOKS = QuickBooksProvider()
