"""Reading what the config is built from, saving it (which activates), pause and resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.accounting import Account, AccountClass, TaxRate
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from chalicelib.domain.integration import Integration
from chalicelib.domain.sync_config import SyncConfig, config_problems
from chalicelib.domain.sync_run import RunTrigger
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.ports import AccountingApps, AppDataCache, Clock, IntegrationRepo, Loc8Api
    from chalicelib.services.sync_requests import SyncRequests

SETTINGS_CACHE_TTL = timedelta(seconds=60)


class AppProfiles(Protocol):
    def profile_for(self, app: str) -> AppProfile:
        """The app's limits and rules, known without calling it."""


@dataclass(frozen=True)
class MappedLineItem:
    id: str
    code: str
    name: str
    account_code: str | None


class Configuration:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        apps: AccountingApps,
        profiles: AppProfiles,
        cache: AppDataCache,
        loc8: Loc8Api,
        sync_requests: SyncRequests,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._apps = apps
        self._profiles = profiles
        self._cache = cache
        self._loc8 = loc8
        self._sync_requests = sync_requests
        self._clock = clock

    def accounts(
        self, tenant_id: str, integration_id: str, account_class: AccountClass | None = None
    ) -> list[Account]:
        integration = self._configurable(tenant_id, integration_id)
        accounts = self._accounts(integration, fresh=False)
        if account_class is not None:
            accounts = [a for a in accounts if a.account_class == account_class]
        return accounts

    def tax_rates(self, tenant_id: str, integration_id: str) -> list[TaxRate]:
        integration = self._configurable(tenant_id, integration_id)
        cached = self._cache.get(integration.id, "tax_rates", self._clock.now())
        if cached is not None:
            return [TaxRate.model_validate(rate) for rate in cached]
        rates = self._apps.app_for(integration).tax_rates()
        self._remember(integration, "tax_rates", [r.model_dump(mode="json") for r in rates])
        return rates

    def line_items(self, tenant_id: str, integration_id: str) -> list[MappedLineItem]:
        integration = self._repo.get(tenant_id, integration_id)
        config = self._config_of(integration)
        return [
            MappedLineItem(
                id=item.id,
                code=item.code,
                name=item.name,
                # Only an explicit mapping: an unmapped item is null, it uses the default.
                account_code=config.line_item_accounts.get(item.id) if config else None,
            )
            for item in self._loc8.iter_line_items(tenant_id)
        ]

    def config(self, tenant_id: str, integration_id: str) -> tuple[SyncConfig, int]:
        integration = self._repo.get(tenant_id, integration_id)
        config = self._config_of(integration)
        if config is None:
            raise NotFound("The integration has not been configured yet.")
        return config, integration.config_version

    def save(
        self, tenant_id: str, integration_id: str, config: SyncConfig, if_match: int | None
    ) -> Integration:
        """Validate against the live organisation, store a new version, activate if first.

        A rejected save changes nothing. The first save queues the initial sync.
        """
        integration = self._configurable(tenant_id, integration_id)
        if if_match is not None and if_match != integration.config_version:
            raise PreconditionFailed(
                f"The config is at version {integration.config_version}, not {if_match}; "
                "reload it and save again."
            )
        profile = self._profiles.profile_for(integration.app)
        line_item_ids = {item.id for item in self._loc8.iter_line_items(tenant_id)}
        problems = config_problems(
            config, self._accounts(integration, fresh=True), line_item_ids, profile
        )
        if problems:
            raise ValidationFailed("The config cannot be saved.", problems)
        activates = integration.apply_config(config.model_dump(mode="json"), self._clock.now())
        try:
            self._repo.save(integration)
        except ConcurrentUpdate as conflict:
            if if_match is not None:
                raise PreconditionFailed(
                    "The config was saved by someone else meanwhile; reload it."
                ) from conflict
            raise
        logger.info(
            "config saved",
            extra={"config_version": integration.config_version, "activated": activates},
        )
        if activates:
            try:
                self._sync_requests.request(integration, RunTrigger.ACTIVATION)
            except Exception:
                # The config is saved and ACTIVE; the schedule will run the first sync.
                logger.exception("could not queue the activation sync")
        return integration

    def pause(self, tenant_id: str, integration_id: str) -> Integration:
        integration = self._repo.get(tenant_id, integration_id)
        integration.pause(self._clock.now())
        self._repo.save(integration)
        return integration

    def resume(self, tenant_id: str, integration_id: str) -> Integration:
        integration = self._repo.get(tenant_id, integration_id)
        integration.resume(self._clock.now())
        self._repo.save(integration)
        return integration

    def _configurable(self, tenant_id: str, integration_id: str) -> Integration:
        integration = self._repo.get(tenant_id, integration_id)
        integration.ensure_configurable()
        return integration

    def _accounts(self, integration: Integration, *, fresh: bool) -> list[Account]:
        if not fresh:
            cached = self._cache.get(integration.id, "accounts", self._clock.now())
            if cached is not None:
                return [Account.model_validate(account) for account in cached]
        accounts = self._apps.app_for(integration).accounts()
        self._remember(integration, "accounts", [a.model_dump(mode="json") for a in accounts])
        return accounts

    def _remember(self, integration: Integration, name: str, document: object) -> None:
        self._cache.put(integration.id, name, document, self._clock.now(), SETTINGS_CACHE_TTL)

    @staticmethod
    def _config_of(integration: Integration) -> SyncConfig | None:
        return SyncConfig.model_validate(integration.config) if integration.config else None
