"""Reading what the config is built from, saving it (which activates), pause and resume.

Before the first save, an integration bound to an organisation this tenant connected
before shows the config it last had there (source `previous_connection`); it is saved,
and the integration activated, only when the admin saves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from chalicelib.domain.accounting import Account, AccountClass, AppItem, TaxRate
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from chalicelib.domain.integration import Integration
from chalicelib.domain.line_item_accounts import (
    Suggestion,
    sales_account_codes,
    suggested_account,
)
from chalicelib.domain.links import LinkScope
from chalicelib.domain.loc8 import Loc8LineItem
from chalicelib.domain.sync_config import SyncConfig, config_problems, with_app_defaults
from chalicelib.domain.sync_run import RunTrigger
from chalicelib.domain.tax_matching import (
    TaxTypeMatch,
    match_tax_types,
    revenue_rates,
    tax_mapping_problems,
)
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.ports import (
        AccountingApps,
        AppDataCache,
        Clock,
        IntegrationRepo,
        Links,
        Loc8Api,
    )
    from chalicelib.services.sync_requests import SyncRequests

SETTINGS_CACHE_TTL = timedelta(seconds=60)
# The links domain whose records are Loc8 line items and the app's items.
LINE_ITEMS_DOMAIN = "line_items"


class AppProfiles(Protocol):
    def profile_for(self, app: str) -> AppProfile:
        """The app's limits and rules, known without calling it."""


class ConfigSource(StrEnum):
    SAVED = "saved"
    PREVIOUS_CONNECTION = "previous_connection"


@dataclass(frozen=True)
class ConfigView:
    """The config to show: saved, or remembered from this organisation's last
    connection; `version` is the ETag a save must match (0 until the first save)."""

    config: SyncConfig
    version: int
    source: ConfigSource


@dataclass(frozen=True)
class TaxTypesView:
    matches: list[TaxTypeMatch]  # every Loc8 tax type, with its app rate or None
    choices: list[TaxRate]  # the app's active sales tax rates


@dataclass(frozen=True)
class MappedLineItem:
    id: str
    code: str
    name: str
    account_code: str | None
    suggestion: Suggestion | None = None


class Configuration:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        apps: AccountingApps,
        profiles: AppProfiles,
        cache: AppDataCache,
        loc8: Loc8Api,
        links: Links,
        sync_requests: SyncRequests,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._links = links
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

    def tax_types(self, tenant_id: str, integration_id: str) -> TaxTypesView:
        """Loc8's tax types, each with the app rate it is matched to (by the config's
        mapping, else automatically, as the sync matches), and the rates to choose from."""
        rates = self.tax_rates(tenant_id, integration_id)
        view = self._view_of(self._repo.get(tenant_id, integration_id))
        mapping = view.config.tax_rate_mappings if view else {}
        matching = match_tax_types(self._loc8.tax_types(tenant_id), rates, mapping)
        return TaxTypesView(matching.matches, revenue_rates(rates))

    def line_items(self, tenant_id: str, integration_id: str) -> list[MappedLineItem]:
        """Loc8's line items with their explicit mapping (null when unmapped: the
        default applies) and the account the list starts from, with its source."""
        integration = self._repo.get(tenant_id, integration_id)
        view = self._view_of(integration)
        config = view.config if view else None
        line_items = list(self._loc8.iter_line_items(tenant_id))
        default = config.default_account_code if config else None
        if not integration.is_configurable:
            app_items: dict[str, AppItem] = {}
            sales_codes: frozenset[str] = frozenset()
        else:
            app_items = self._app_items_for(integration, line_items)
            sales_codes = sales_account_codes(self._accounts(integration, fresh=False))
        return [
            MappedLineItem(
                id=item.id,
                code=item.code,
                name=item.name,
                account_code=config.line_item_accounts.get(item.id) if config else None,
                suggestion=suggested_account(
                    app_item=app_items.get(item.id),
                    loc8_account_code=item.account_code,
                    sales_codes=sales_codes,
                    default=default,
                ),
            )
            for item in line_items
        ]

    def config(self, tenant_id: str, integration_id: str) -> ConfigView:
        integration = self._repo.get(tenant_id, integration_id)
        view = self._view_of(integration)
        if view is None:
            raise NotFound("The integration has not been configured yet.")
        return view

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
        config = with_app_defaults(config, profile)
        line_item_ids = {item.id for item in self._loc8.iter_line_items(tenant_id)}
        problems = config_problems(
            config, self._accounts(integration, fresh=True), line_item_ids, profile
        )
        if config.tax_rate_mappings:
            problems += tax_mapping_problems(
                config.tax_rate_mappings,
                self._apps.app_for(integration).tax_rates(),
                {tax_type.code for tax_type in self._loc8.tax_types(tenant_id)},
                profile.name,
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

    def _app_items_for(
        self, integration: Integration, line_items: list[Loc8LineItem]
    ) -> dict[str, AppItem]:
        """The app item of each Loc8 line item: the linked one, else the one with its code."""
        cached = self._cache.get(integration.id, "items", self._clock.now())
        if cached is not None:
            items = [AppItem.model_validate(item) for item in cached]
        else:
            items = self._apps.app_for(integration).items()
            self._remember(integration, "items", [i.model_dump(mode="json") for i in items])
        by_id = {item.id: item for item in items if item.id}
        by_code = {item.code.casefold(): item for item in items}
        organisation = integration.organisation
        links = (
            self._links.by_loc8(
                LinkScope(integration.tenant_id, integration.app, organisation.id),
                LINE_ITEMS_DOMAIN,
                [line_item.id for line_item in line_items],
            )
            if organisation is not None
            else {}
        )
        found: dict[str, AppItem] = {}
        for line_item in line_items:
            link = links.get(line_item.id)
            # A linked item is that item even if its code changed since; only an
            # unlinked one is matched by code, as the sync would match it.
            match = by_id.get(link.app_id) if link else by_code.get(line_item.code.casefold())
            if match is not None:
                found[line_item.id] = match
        return found

    def _view_of(self, integration: Integration) -> ConfigView | None:
        saved = self._config_of(integration)
        if saved is not None:
            return ConfigView(saved, integration.config_version, ConfigSource.SAVED)
        remembered = self._remembered(integration)
        if remembered is None:
            return None
        return ConfigView(remembered, integration.config_version, ConfigSource.PREVIOUS_CONNECTION)

    def _remembered(self, integration: Integration) -> SyncConfig | None:
        """The config this tenant last saved for the same app and organisation."""
        organisation = integration.organisation
        if organisation is None or not integration.is_configurable:
            return None
        previous = self._repo.last_configured(
            integration.tenant_id, integration.app, organisation.id
        )
        if previous is None:
            return None
        try:
            return self._config_of(previous)
        except ValidationError:
            # A config saved under older rules is not offered; the admin starts clean.
            logger.warning("the previous connection's config no longer parses")
            return None

    @staticmethod
    def _config_of(integration: Integration) -> SyncConfig | None:
        return SyncConfig.model_validate(integration.config) if integration.config else None
