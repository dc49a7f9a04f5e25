"""MYOB's OAuth scopes: the granular `sme-*` data scopes (API keys from 12 March 2025)
and the legacy `CompanyFile` scope, and which resources each one opens."""

from __future__ import annotations

# The granular data scopes MYOB publishes (developer.myob.com granular_data_scopes, as
# pymyob 3.0.0's AuthScope lists them). Anything else is refused: invalid_scope.
GRANULAR = frozenset(
    {
        "sme-banking",
        "sme-company-file",
        "sme-company-settings",
        "sme-contacts-customer",
        "sme-contacts-employee",
        "sme-contacts-personal",
        "sme-contacts-supplier",
        "sme-general-ledger",
        "sme-inventory",
        "sme-payroll",
        "sme-purchases",
        "sme-sales",
        "sme-timebilling",
    }
)
# Keys from before 12 March 2025: CompanyFile reaches every file of the user.
LEGACY = frozenset({"CompanyFile", "la.global"})
LEGACY_FILE_SCOPE = "CompanyFile"

# First path segment(s) of a company-file resource -> the scope that opens it.
_RESOURCE_SCOPES = (
    ("Contact", "sme-contacts-customer"),
    ("Inventory", "sme-inventory"),
    ("GeneralLedger", "sme-general-ledger"),
    ("Sale", "sme-sales"),
    ("Company", "sme-company-file"),
)


def parse(scope: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys((scope or "").split()))


def problem(requested: tuple[str, ...]) -> str | None:
    """Why these scopes cannot be asked for together, or None."""
    if not requested:
        return "invalid_request"
    known = GRANULAR | LEGACY
    if any(scope not in known for scope in requested):
        return "invalid_scope"
    # Stricter: a key is either granular or legacy, never both at once.
    if any(s in GRANULAR for s in requested) and any(s in LEGACY for s in requested):
        return "invalid_scope"
    return None


def is_granular(scopes: tuple[str, ...]) -> bool:
    return any(scope in GRANULAR for scope in scopes)


def scope_for(resource_path: str) -> str:
    """The granular scope a company-file path needs ("" = the file itself)."""
    head = resource_path.split("/", 1)[0]
    for prefix, scope in _RESOURCE_SCOPES:
        if head == prefix:
            return scope
    return "sme-company-file"


def allows(granted: tuple[str, ...], resource_path: str) -> bool:
    if LEGACY_FILE_SCOPE in granted:
        return True
    return scope_for(resource_path) in granted
