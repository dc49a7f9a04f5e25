"""The catalogue of accounting apps the service can connect."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.errors import InvalidRequest

SYNC_DOMAINS = ("invoices", "payments", "line_items", "tax_rates", "customers")


class AppInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    available: bool
    sync_domains: tuple[str, ...] = SYNC_DOMAINS


CATALOGUE: tuple[AppInfo, ...] = (
    AppInfo(key="xero", name="Xero", available=True),
    AppInfo(key="quickbooks", name="QuickBooks Online", available=True),
    AppInfo(key="myob", name="MYOB Business", available=True),
)


def available_app(key: object) -> AppInfo:
    """The catalogue entry for `key`, refusing unknown apps and ones not yet offered."""
    for app in CATALOGUE:
        if app.key == key:
            if not app.available:
                raise InvalidRequest(f"{app.name} is not available yet.")
            return app
    known = ", ".join(app.key for app in CATALOGUE)
    raise InvalidRequest(f"Unknown app {key!r}; expected one of: {known}.")


def app_name(key: str) -> str:
    """The app's name as its catalogue entry spells it, for messages a user reads."""
    return next((app.name for app in CATALOGUE if app.key == key), key)
