"""Which OAuth scopes the emulated app may ask for.

The emulated app counts as created after 2 March 2026, so Xero's broad
transaction/report scopes are refused and only the granular ones are accepted.
"""

from __future__ import annotations

import re

USER_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})

_READ_WRITE = (
    "accounting.settings",
    "accounting.contacts",
    "accounting.attachments",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.classicexpenses",
    "files",
    "assets",
    "projects",
    "payroll.employees",
    "payroll.payruns",
    "payroll.payslip",
    "payroll.timesheets",
    "payroll.settings",
)
_READ_ONLY = ("accounting.journals.read", "accounting.budgets.read")
_OTHER = ("paymentservices", "bankfeeds")

ORGANISATION_SCOPES = frozenset(
    [*_READ_WRITE, *(f"{scope}.read" for scope in _READ_WRITE), *_READ_ONLY, *_OTHER]
)

# Broad scopes Xero withdrew for apps created on or after 2 March 2026.
WITHDRAWN_SCOPES = frozenset(
    {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}
)

# Granular report scopes follow one pattern (accounting.reports.aged.read, ...profitandloss.read).
_GRANULAR_REPORT = re.compile(r"^accounting\.reports\.[a-z0-9]+\.read$")


def parse_scope(raw: str | None) -> tuple[str, ...]:
    """Space-separated scope string -> ordered, de-duplicated tuple."""
    return tuple(dict.fromkeys((raw or "").split()))


def is_known(scope: str) -> bool:
    if scope in WITHDRAWN_SCOPES:
        return False
    return (
        scope in USER_SCOPES or scope in ORGANISATION_SCOPES or bool(_GRANULAR_REPORT.match(scope))
    )


def unknown_scopes(scopes: tuple[str, ...]) -> list[str]:
    return [scope for scope in scopes if not is_known(scope)]


def needs_organisation(scopes: tuple[str, ...]) -> bool:
    """Sign-in-only requests (openid/profile/email/offline_access) connect no tenant."""
    return any(scope not in USER_SCOPES for scope in scopes)
