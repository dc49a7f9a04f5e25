"""Xero: its registration, which builds the OAuth and Accounting API adapters.

Importing this package loads no HTTP client: `build` returns factories that import
them when the registry first asks for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.providers.registry import ProviderAdapters, SharedServices
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.app_profile import AppProfile

if TYPE_CHECKING:
    from chalicelib.adapters.providers.xero.accounting import XeroAccounting
    from chalicelib.adapters.providers.xero.oauth import XeroOAuth
    from chalicelib.adapters.providers.xero.settings import XeroSettings
    from chalicelib.domain.integration import Integration


class XeroProvider:
    key = "xero"

    @property
    def profile(self) -> AppProfile:
        return XERO_PROFILE

    @property
    def settings_type(self) -> type[XeroSettings]:
        from chalicelib.adapters.providers.xero.settings import XeroSettings

        return XeroSettings

    def build(self, settings: XeroSettings, shared: SharedServices) -> ProviderAdapters:
        def auth() -> XeroOAuth:
            from chalicelib.adapters.providers.xero.oauth import XeroOAuth

            def client_secret() -> str:
                return shared.resolve_secret(
                    "Xero client secret", settings.client_secret, settings.client_secret_name
                )

            return XeroOAuth(
                client_id=settings.client_id,
                client_secret=client_secret,
                redirect_uri=settings.redirect_uri,
                scopes=settings.scopes,
                authorize_url=settings.authorize_url,
                token_url=settings.token_url,
                revocation_url=settings.revocation_url,
                api_url=settings.api_url,
                timeout=shared.timeout,
                clock=shared.clock,
                session=shared.http_session(),
            )

        def app(integration: Integration) -> XeroAccounting:
            from chalicelib.adapters.providers.xero.accounting import XeroAccounting

            assert integration.organisation is not None  # the registry checks it first

            def access_token(force_refresh: bool) -> str:
                return shared.access_token(integration, force_refresh)

            return XeroAccounting(
                api_url=settings.api_url,
                tenant_id=integration.organisation.id,
                access_token=access_token,
                timeout=shared.timeout,
                session=shared.http_session(),
            )

        return ProviderAdapters(auth=auth, app=app)


XERO = XeroProvider()
