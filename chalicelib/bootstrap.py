"""Composition root: builds the real adapters from Settings, each on first use.

Nothing here runs at import, and each part's module is imported only when the part
is first built, so a cold start pays only for what its function uses (the API never
loads the sync worker; the worker never loads the JWT verifier). Providers come from
their registrations (`chalicelib.adapters.providers`); this module knows none of them.
Tests build a Container with their own clock or clients and install it with
`use_container`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Protocol

    import requests
    from pydantic import SecretStr

    from chalicelib.adapters.app_secrets import AppSecrets
    from chalicelib.adapters.call_budget_store import DynamoCallBudget
    from chalicelib.adapters.cursors import DynamoCursors
    from chalicelib.adapters.dynamodb import DynamoTable
    from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
    from chalicelib.adapters.job_queue import SqsJobQueue
    from chalicelib.adapters.leases import DynamoLeases
    from chalicelib.adapters.oauth_state_store import DynamoOAuthStateStore
    from chalicelib.adapters.providers.registry import Provider, ProviderRegistry
    from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
    from chalicelib.adapters.token_vault import SecretsManagerTokenVault
    from chalicelib.api.auth import JwtVerifier
    from chalicelib.domain.integration import Integration
    from chalicelib.domain.oauth_state import StateSigner
    from chalicelib.ports import AccountingApps, AccountingAuthRegistry, Clock, Loc8Api
    from chalicelib.services.access_tokens import AccessTokens
    from chalicelib.services.configuration import Configuration
    from chalicelib.services.consent import Consent
    from chalicelib.services.fan_out import FanOut
    from chalicelib.services.integrations import Integrations
    from chalicelib.services.sync_history import SyncHistory
    from chalicelib.services.sync_requests import SyncRequests
    from chalicelib.services.sync_worker import SyncWorker
    from chalicelib.settings import Settings

    class AccountingProviders(AccountingAuthRegistry, AccountingApps, Protocol):
        """The apps' OAuth and API adapters: the registry, or a test's fake."""


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
        providers: AccountingProviders | None = None,
        registrations: Sequence[Provider] | None = None,
    ) -> None:
        """`providers` replaces the whole provider registry (a fake's `auth_for` and
        `app_for`); `registrations` replaces the registered provider folders."""
        self.settings = settings
        self._clock = clock
        self._dynamodb_client = dynamodb_client
        self._secrets_client = secrets_client
        self._sqs_client = sqs_client
        self._http_session = http_session
        self._providers = providers
        self._registrations = registrations

    @cached_property
    def clock(self) -> Clock:
        if self._clock is not None:
            return self._clock
        from chalicelib.adapters.clock import SystemClock

        return SystemClock()

    @cached_property
    def http(self) -> requests.Session:
        if self._http_session is not None:
            return self._http_session
        import requests

        return requests.Session()

    @cached_property
    def table(self) -> DynamoTable:
        from chalicelib.adapters.dynamodb import DynamoTable

        return DynamoTable(self.settings.table_name, self._dynamodb_client)

    @cached_property
    def repo(self) -> DynamoIntegrationRepo:
        from chalicelib.adapters.integration_repo import DynamoIntegrationRepo

        return DynamoIntegrationRepo(self.table)

    @cached_property
    def oauth_states(self) -> DynamoOAuthStateStore:
        from chalicelib.adapters.oauth_state_store import DynamoOAuthStateStore

        return DynamoOAuthStateStore(self.table)

    @cached_property
    def token_vault(self) -> SecretsManagerTokenVault:
        from chalicelib.adapters.token_vault import SecretsManagerTokenVault

        return SecretsManagerTokenVault(
            self.settings.token_secret_prefix,
            self.settings.token_kms_key_id,
            client=self._secrets_client,
        )

    @cached_property
    def app_secrets(self) -> AppSecrets:
        from chalicelib.adapters.app_secrets import AppSecrets

        return AppSecrets(self.settings.secret_cache_seconds, client=self._secrets_client)

    def _secret(self, what: str, value: SecretStr | None, name: str | None) -> str:
        return self.app_secrets.resolve(what, value, name)

    @cached_property
    def state_signer(self) -> StateSigner:
        from chalicelib.domain.oauth_state import StateSigner

        key = self._secret(
            "state signing secret",
            self.settings.state_signing_secret,
            self.settings.state_signing_secret_name,
        )
        return StateSigner(key.encode(), timedelta(seconds=self.settings.state_ttl_seconds))

    @cached_property
    def jwt_verifier(self) -> JwtVerifier:
        from chalicelib.api.auth import JwksKeys, JwtVerifier

        settings = self.settings
        hs256 = None
        if settings.jwt_secret is not None or settings.jwt_secret_name:

            def hs256() -> str:
                return self._secret("JWT secret", settings.jwt_secret, settings.jwt_secret_name)

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
    def provider_registry(self) -> ProviderRegistry:
        """Every registered provider; builds a provider's adapters on first use."""
        from chalicelib.adapters.providers import PROVIDERS
        from chalicelib.adapters.providers.registry import ProviderRegistry, SharedServices

        def access_token(integration: Integration, force_refresh: bool) -> str:
            tokens = self.access_tokens.current(integration, force_refresh=force_refresh)
            return tokens.access_token.get_secret_value()

        shared = SharedServices(
            clock=self.clock,
            timeout=self.settings.http_timeout,
            http_session=lambda: self.http,
            resolve_secret=self._secret,
            access_token=access_token,
            call_budget=lambda: self.call_budget,
        )
        registrations = PROVIDERS if self._registrations is None else self._registrations
        return ProviderRegistry(registrations, self.settings.providers, shared)

    @cached_property
    def providers(self) -> AccountingProviders:
        """The apps' adapters: the registry, or the replacement a test installed."""
        return self._providers if self._providers is not None else self.provider_registry

    @cached_property
    def consent(self) -> Consent:
        from chalicelib.services.consent import Consent

        return Consent(
            repo=self.repo,
            states=self.oauth_states,
            signer=self.state_signer,
            vault=self.token_vault,
            auths=self.providers,
            clock=self.clock,
        )

    @cached_property
    def call_budget(self) -> DynamoCallBudget:
        from chalicelib.adapters.call_budget_store import DynamoCallBudget

        return DynamoCallBudget(self.table, self.clock)

    @cached_property
    def leases(self) -> DynamoLeases:
        from chalicelib.adapters.leases import DynamoLeases

        return DynamoLeases(self.table)

    @cached_property
    def access_tokens(self) -> AccessTokens:
        from chalicelib.services.access_tokens import AccessTokens

        return AccessTokens(
            vault=self.token_vault,
            leases=self.leases,
            auths=self.providers,
            repo=self.repo,
            clock=self.clock,
        )

    @cached_property
    def sync_runs(self) -> DynamoSyncRuns:
        from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns

        return DynamoSyncRuns(
            self.table, retention=timedelta(days=self.settings.sync_run_retention_days)
        )

    @cached_property
    def job_queue(self) -> SqsJobQueue:
        from chalicelib.adapters.job_queue import SqsJobQueue

        return SqsJobQueue(self.settings.sync_queue_url, client=self._sqs_client)

    @cached_property
    def sync_requests(self) -> SyncRequests:
        from chalicelib.services.sync_requests import SyncRequests

        return SyncRequests(runs=self.sync_runs, queue=self.job_queue, clock=self.clock)

    @cached_property
    def loc8_api(self) -> Loc8Api:
        from chalicelib.adapters.loc8 import Loc8HttpApi, RetryPolicy

        settings = self.settings

        def service_token() -> str:
            return self._secret(
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
        from chalicelib.adapters.app_data_cache import DynamoAppDataCache
        from chalicelib.adapters.links_repo import DynamoLinks
        from chalicelib.services.configuration import Configuration

        return Configuration(
            repo=self.repo,
            apps=self.providers,
            profiles=self.provider_registry,
            cache=DynamoAppDataCache(self.table),
            loc8=self.loc8_api,
            links=DynamoLinks(self.table),
            sync_requests=self.sync_requests,
            clock=self.clock,
        )

    @cached_property
    def cursors(self) -> DynamoCursors:
        from chalicelib.adapters.cursors import DynamoCursors

        return DynamoCursors(self.table)

    @cached_property
    def sync_worker(self) -> SyncWorker:
        from chalicelib.adapters.links_repo import DynamoLinks
        from chalicelib.services.sync_worker import DomainStep, SyncWorker
        from chalicelib.sync.customers import CustomersSyncer
        from chalicelib.sync.invoices import InvoicesSyncer
        from chalicelib.sync.line_items import LineItemsSyncer
        from chalicelib.sync.payments import PaymentsSyncer
        from chalicelib.sync.tax_rates import TaxRatesSyncer

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
            delivery_budget=timedelta(seconds=self.settings.sync_delivery_budget_seconds),
            stale_after=timedelta(seconds=self.settings.sync_run_stale_after_seconds),
        )

    @cached_property
    def fan_out(self) -> FanOut:
        from chalicelib.services.fan_out import FanOut

        return FanOut(integrations=self.repo, queue=self.job_queue, clock=self.clock)

    @cached_property
    def sync_history(self) -> SyncHistory:
        from chalicelib.services.sync_history import SyncHistory

        return SyncHistory(repo=self.repo, runs=self.sync_runs, sync_requests=self.sync_requests)

    @cached_property
    def integrations(self) -> Integrations:
        from chalicelib.services.integrations import Integrations

        return Integrations(
            repo=self.repo,
            vault=self.token_vault,
            auths=self.providers,
            access_tokens=self.access_tokens,
            consent=self.consent,
            clock=self.clock,
        )


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        from chalicelib.settings import get_settings

        _container = Container(get_settings())
    return _container


def use_container(replacement: Container | None) -> None:
    """Install a container (tests, the local stack); None goes back to the default."""
    global _container
    _container = replacement
