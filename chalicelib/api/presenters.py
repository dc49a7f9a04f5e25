"""Domain objects as the JSON shapes API.md promises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.integration import IntegrationStatus
from chalicelib.domain.sync_config import invoice_statuses

if TYPE_CHECKING:
    # Types only: every Lambda imports this module through the app's wiring, and the
    # configuration service and Loc8's models are needed only by the routes using them.
    from chalicelib.domain.accounting import Account, TaxRate
    from chalicelib.domain.app_profile import AppProfile
    from chalicelib.domain.apps import AppInfo
    from chalicelib.domain.integration import Integration, Organisation
    from chalicelib.domain.sync_run import SyncRun
    from chalicelib.domain.tax_matching import TaxTypeMatch
    from chalicelib.services.configuration import ConfigView, MappedLineItem


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def organisation_json(organisation: Organisation) -> dict[str, str]:
    return {"id": organisation.id, "name": organisation.name}


def integration_json(integration: Integration) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": integration.id,
        "app": integration.app,
        "status": integration.status.value,
        "organisation": (
            organisation_json(integration.organisation) if integration.organisation else None
        ),
        "config": integration.config,
        "config_version": integration.config_version,
        "last_sync": integration.last_sync,
        "attention": integration.attention.model_dump() if integration.attention else None,
        "created_at": iso_utc(integration.created_at),
        "updated_at": iso_utc(integration.updated_at),
    }
    if integration.status is IntegrationStatus.CHOOSE_ORGANISATION:
        body["organisations"] = [organisation_json(org) for org in integration.organisations]
    return body


def app_json(app: AppInfo, profile: AppProfile | None) -> dict[str, Any]:
    """A catalogue entry; an app on offer also says what its invoices can be created as."""
    body: dict[str, Any] = {
        "key": app.key,
        "name": app.name,
        "available": app.available,
        "sync_domains": list(app.sync_domains),
    }
    if profile is not None:
        body["invoice_statuses"] = [status.value for status in invoice_statuses(profile)]
    return body


def account_json(account: Account) -> dict[str, Any]:
    return {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "class": account.account_class,
        "status": account.status,
        "tax_type": account.tax_type,
        "accepts_payments": account.accepts_payments,
        "bank": account.is_bank,
    }


def tax_rate_json(rate: TaxRate) -> dict[str, Any]:
    return {"code": rate.code, "name": rate.name, "rate": float(rate.rate), "status": rate.status}


def tax_type_json(match: TaxTypeMatch) -> dict[str, Any]:
    from chalicelib.domain.loc8 import loc8_rate

    tax_type = match.tax_type
    return {
        "id": tax_type.id,
        "code": tax_type.code,
        "name": tax_type.name,
        "rate": format(loc8_rate(tax_type.rate), "f"),
        "active": tax_type.active,
        "tax_rate_code": match.rate.code if match.rate else None,
        "matched_by": match.matched_by.value if match.matched_by else None,
    }


def line_item_json(item: MappedLineItem) -> dict[str, Any]:
    suggestion = item.suggestion
    return {
        "id": item.id,
        "code": item.code,
        "name": item.name,
        "account_code": item.account_code,
        "suggested_account_code": suggestion.account_code if suggestion else None,
        "suggestion_source": suggestion.source.value if suggestion else None,
    }


def config_json(view: ConfigView) -> dict[str, Any]:
    return {**view.config.model_dump(mode="json"), "source": view.source.value}


def etag(version: int) -> str:
    return f'"{version}"'


def sync_run_json(run: SyncRun, *, with_errors: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": run.id,
        "integration_id": run.integration_id,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "started_at": iso_utc(run.started_at) if run.started_at else None,
        "finished_at": iso_utc(run.finished_at) if run.finished_at else None,
        **run.counts_json(),
        "deferred_until": iso_utc(run.deferred_until) if run.deferred_until else None,
    }
    if with_errors:
        body["errors"] = [error.model_dump() for error in run.errors]
        body["errors_truncated"] = run.errors_truncated
    return body
