"""Intuit's OAuth scopes: which exist, and which need a company chosen on consent."""

from __future__ import annotations

ACCOUNTING = "com.intuit.quickbooks.accounting"
PAYMENT = "com.intuit.quickbooks.payment"
OPENID = "openid"
# intuitlib.enums.Scopes lists these; anything else is invalid_scope.
KNOWN_SCOPES = frozenset(
    {
        ACCOUNTING,
        PAYMENT,
        OPENID,
        "profile",
        "email",
        "phone",
        "address",
        "intuit_name",
        "com.intuit.quickbooks.payroll",
        "com.intuit.quickbooks.payroll.timetracking",
        "com.intuit.quickbooks.payroll.benefits",
        "com.intuit.quickbooks.payroll.payslip.read",
        "project-management.project",
        "app-foundations.custom-field-definitions.read",
        "app-foundations.custom-field-definitions",
        "payroll.compensation.read",
        "indirect-tax.tax-calculation.quickbooks",
        "tax-compliance.workpapers.read",
    }
)
# Scopes that reach a company's data: the consent page asks which company.
COMPANY_SCOPES = frozenset({ACCOUNTING, PAYMENT})


def parse_scope(raw: str | None) -> tuple[str, ...]:
    """Space-separated, duplicates dropped, order kept."""
    return tuple(dict.fromkeys((raw or "").split()))


def unknown_scopes(scopes: tuple[str, ...]) -> list[str]:
    return [scope for scope in scopes if scope not in KNOWN_SCOPES]


def needs_company(scopes: tuple[str, ...]) -> bool:
    return any(scope in COMPANY_SCOPES for scope in scopes)
