"""Composition root: builds the real adapters from Settings, each on first use.

Nothing here runs at import, so a cold start pays only for what a request uses.
Tests build a Container with their own clock or clients and install it with
`use_container`.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

import requests

from chalicelib.adapters.app_data_cache import DynamoAppDataCache
from chalicelib.adapters.app_secrets import AppSecrets
from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.cursors import DynamoCursors
from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
from chalicelib.adapters.job_queue import SqsJobQueue
from chalicelib.adapters.leases import DynamoLeases
from chalicelib.adapters.links_repo import DynamoLinks
from chalicelib.adapters.loc8 import Loc8HttpApi, RetryPolicy
from chalicelib.adapters.oauth_state_store import DynamoOAuthStateStore
from chalicelib.adapters.providers.registry import ProviderRegistry
from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.oauth import XeroOAuth
from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
from chalicelib.adapters.token_vault import SecretsManagerTokenVault
from chalicelib.api.auth import JwksKeys, JwtVerifier
from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.integration import Integration
from chalicelib.domain.oauth_state import StateSigner
from chalicelib.ports import AccountingAuth, Clock, Loc8Api
from chalicelib.services.access_tokens import AccessTokens
from chalicelib.services.configuration import Configuration
from chalicelib.services.consent import Consent
from chalicelib.services.fan_out import FanOut
from chalicelib.services.integrations import Integrations
from chalicelib.services.sync_history import SyncHistory
from chalicelib.services.sync_requests import SyncRequests
from chalicelib.services.sync_worker import DomainStep, SyncWorker
from chalicelib.settings import Settings, get_settings
from chalicelib.sync.customers import CustomersSyncer
from chalicelib.sync.invoices import InvoicesSyncer
from chalicelib.sync.line_items import LineItemsSyncer
from chalicelib.sync.payments import PaymentsSyncer
from chalicelib.sync.tax_rates import TaxRatesSyncer


class Container:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        dynamodb_client: Any = None,
        secrets_client: Any = None,
        sqs_client: Any = None,
        http_session: requests.Session | None = None,
        providers: ProviderRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._dynamodb_client = dynamodb_client
        self._secrets_client = secrets_client
        self._sqs_client = sqs_client
        self._http_session = http_session
        self._providers = providers

    @cached_property
    def http(self) -> requests.Session:
        return self._http_session or requests.Session()

    @cached_property
    def table(self) -> DynamoTable:
        return DynamoTable(self.settings.table_name, self._dynamodb_client)

    @cached_property
    def repo(self) -> DynamoIntegrationRepo:
        return DynamoIntegrationRepo(self.table)

    @cached_property
    def oauth_states(self) -> DynamoOAuthStateStore:
        return DynamoOAuthStateStore(self.table)

    @cached_property
    def token_vault(self) -> SecretsManagerTokenVault:
        return SecretsManagerTokenVault(
            self.settings.token_secret_prefix,
            self.settings.token_kms_key_id,
            client=self._secrets_client,
        )

    @cached_property
    def app_secrets(self) -> AppSecrets:
        return AppSecrets(self.settings.secret_cache_seconds, client=self._secrets_client)

    @cached_property
    def state_signer(self) -> StateSigner:
        key = self.app_secrets.resolve(
            "state signing secret",
            self.settings.state_signing_secret,
            self.settings.state_signing_secret_name,
        )
        return StateSigner(key.encode(), timedelta(seconds=self.settings.state_ttl_seconds))

    @cached_property
    def jwt_verifier(self) -> JwtVerifier:
        settings = self.settings
        hs256 = None
        if settings.jwt_secret is not None or settings.jwt_secret_name:

            def hs256() -> str:
                return self.app_secrets.resolve(
                    "JWT secret", settings.jwt_secret, settings.jwt_secret_name
                )

        jwks = None
        if settings.jwt_jwks_url:
            jwks = JwksKeys(settings.jwt_jwks_url, settings.http_timeout)
        return JwtVerifier(
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            hs256_secret=hs256,
            jwks=jwks,
        )

    @cached_property
    def providers(self) -> ProviderRegistry:
        return self._providers or ProviderRegistry(
            auth_factories={"xero": self._xero_auth},
            settings_factories={"xero": self._xero_accounting},
        )

    def _xero_accounting(self, integration: Integration) -> XeroAccounting:
        if integration.organisation is None:
            raise InvalidTransition("The integration has no organisation yet.")

        def access_token(force_refresh: bool) -> str:
            tokens = self.access_tokens.current(integration, force_refresh=force_refresh)
            return tokens.access_token.get_secret_value()

        return XeroAccounting(
            api_url=self.settings.xero_api_url,
            tenant_id=integration.organisation.id,
            access_token=access_token,
            timeout=self.settings.http_timeout,
            session=self.http,
        )

    def _xero_auth(self) -> AccountingAuth:
        settings = self.settings

        def client_secret() -> str:
            return self.app_secrets.resolve(
                "Xero client secret", settings.xero_client_secret, settings.xero_client_secret_name
            )

        return XeroOAuth(
            client_id=settings.xero_client_id,
            client_secret=client_secret,
            redirect_uri=settings.xero_redirect_uri,
            scopes=settings.xero_scopes,
            authorize_url=settings.xero_authorize_url,
            token_url=settings.xero_token_url,
            revocation_url=settings.xero_revocation_url,
            api_url=settings.xero_api_url,
            timeout=settings.http_timeout,
            clock=self.clock,
            session=self.http,
        )

    @cached_property
    def consent(self) -> Consent:
        return Consent(
            repo=self.repo,
            states=self.oauth_states,
            signer=self.state_signer,
            vault=self.token_vault,
            auths=self.providers,
            clock=self.clock,
        )

    @cached_property
    def leases(self) -> DynamoLeases:
        return DynamoLeases(self.table)

    @cached_property
    def access_tokens(self) -> AccessTokens:
        return AccessTokens(
            vault=self.token_vault,
            leases=self.leases,
            auths=self.providers,
            repo=self.repo,
            clock=self.clock,
        )

    @cached_property
    def sync_runs(self) -> DynamoSyncRuns:
        return DynamoSyncRuns(self.table)

    @cached_property
    def job_queue(self) -> SqsJobQueue:
        return SqsJobQueue(self.settings.sync_queue_url, client=self._sqs_client)

    @cached_property
    def sync_requests(self) -> SyncRequests:
        return SyncRequests(runs=self.sync_runs, queue=self.job_queue, clock=self.clock)

    @cached_property
    def loc8_api(self) -> Loc8Api:
        settings = self.settings

        def service_token() -> str:
            return self.app_secrets.resolve(
                "Loc8 service token", settings.loc8_api_secret, settings.loc8_api_secret_name
            )

        # Its own Session: the retrying adapter must not change how other calls behave.
        return Loc8HttpApi(
            base_url=settings.loc8_api_url,
            token=service_token,
            timeout=settings.http_timeout,
            retry=RetryPolicy(
                max_retries=settings.loc8_api_max_retries,
                backoff_factor=settings.loc8_api_backoff_seconds,
                retry_after_limit_seconds=settings.loc8_api_retry_after_limit_seconds,
            ),
            page_size=settings.loc8_api_page_size,
        )

    @cached_property
    def configuration(self) -> Configuration:
        return Configuration(
            repo=self.repo,
            apps=self.providers,
            cache=DynamoAppDataCache(self.table),
            loc8=self.loc8_api,
            sync_requests=self.sync_requests,
            clock=self.clock,
        )

    @cached_property
    def cursors(self) -> DynamoCursors:
        return DynamoCursors(self.table)

    @cached_property
    def sync_worker(self) -> SyncWorker:
        return SyncWorker(
            repo=self.repo,
            runs=self.sync_runs,
            queue=self.job_queue,
            leases=self.leases,
            cursors=self.cursors,
            links=DynamoLinks(self.table),
            apps=self.providers,
            loc8=self.loc8_api,
            clock=self.clock,
            steps=[
                DomainStep("tax_rates", TaxRatesSyncer()),
                DomainStep("customers", CustomersSyncer()),
                DomainStep("line_items", LineItemsSyncer()),
                DomainStep("invoices", InvoicesSyncer(web_url=self.settings.loc8_web_url)),
                DomainStep("invoices", PaymentsSyncer()),
            ],
            time_reserve=timedelta(seconds=self.settings.sync_time_reserve_seconds),
        )

    @cached_property
    def fan_out(self) -> FanOut:
        return FanOut(
            integrations=self.repo, slots=self.sync_runs, queue=self.job_queue, clock=self.clock
        )

    @cached_property
    def sync_history(self) -> SyncHistory:
        return SyncHistory(repo=self.repo, runs=self.sync_runs, sync_requests=self.sync_requests)

    @cached_property
    def integrations(self) -> Integrations:
        return Integrations(
            repo=self.repo,
            vault=self.token_vault,
            auths=self.providers,
            consent=self.consent,
            clock=self.clock,
        )


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container(get_settings())
    return _container


def use_container(replacement: Container | None) -> None:
    """Install a container (tests, the local stack); None goes back to the default."""
    global _container
    _container = replacement
