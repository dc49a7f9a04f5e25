"""MYOB's refusals, read in MYOB's terms: `{"Errors": [{Name, Message,
AdditionalDetails, ErrorCode, Severity}], "Information": ...}` from the API, RFC 6749
`{"error": ...}` from secure.myob.com.

The typed reason comes from the error's `Name` (and, for 404 and 409, the status); MYOB
publishes few names for business rules, so where it is silent the message is read for
the rule's meaning (a duplicate card ID, an inactive card).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.app_profile import WriteFailure

RATE_LIMIT_ERROR = "RateLimitError"
ACCESS_DENIED = "AccessDenied"
STALE_ROW_VERSION = "IncorrectRowVersionSupplied"

_BY_NAME: dict[str, WriteFailure] = {
    "CardIdInUse": WriteFailure.NAME_TAKEN,
    "ItemNumberInUse": WriteFailure.NAME_TAKEN,
    "InvoiceNumberInUse": WriteFailure.NUMBER_TAKEN,
    STALE_ROW_VERSION: WriteFailure.STALE_VERSION,
    "CardInactive": WriteFailure.ARCHIVED_REFERENCE,
    "ItemInactive": WriteFailure.ARCHIVED_REFERENCE,
    "SaleHasPayments": WriteFailure.HAS_PAYMENTS,
    "LockedPeriod": WriteFailure.LOCKED_PERIOD,
}
_IN_USE = re.compile(r"already (in use|exists)|duplicate", re.I)
_INACTIVE = re.compile(r"inactive", re.I)
_LOCKED = re.compile(r"locked period|lock date|closed period", re.I)
_DAILY = re.compile(r"daily", re.I)


@dataclass(frozen=True)
class MyobErrorEntry:
    name: str
    message: str
    details: str | None = None

    @property
    def text(self) -> str:
        """MYOB's own words for the person reading the run's errors."""
        where = f" ({self.details})" if self.details else ""
        return f"{self.name}: {self.message}{where}"


def errors_of(body: Any) -> list[MyobErrorEntry]:
    """The entries of MYOB's error body; [] when it is not one."""
    if not isinstance(body, dict):
        return []
    listed = body.get("Errors")
    if not isinstance(listed, list):
        return []
    return [
        MyobErrorEntry(
            name=str(entry.get("Name") or ""),
            message=str(entry.get("Message") or ""),
            details=str(entry["AdditionalDetails"]) if entry.get("AdditionalDetails") else None,
        )
        for entry in listed
        if isinstance(entry, dict)
    ]


def write_failure(status: int, errors: list[MyobErrorEntry]) -> WriteFailure:
    """The typed reason for one refused record."""
    for error in errors:
        reason = _BY_NAME.get(error.name)
        if reason is not None:
            return reason
    if status == 404:
        return WriteFailure.NOT_FOUND
    if status == 409:
        return WriteFailure.STALE_VERSION
    for error in errors:
        if _IN_USE.search(error.message):
            if "number" in error.message.lower() and "item" not in error.message.lower():
                return WriteFailure.NUMBER_TAKEN
            return WriteFailure.NAME_TAKEN
        if _LOCKED.search(error.message):
            return WriteFailure.LOCKED_PERIOD
        if _INACTIVE.search(error.message):
            return WriteFailure.ARCHIVED_REFERENCE
    return WriteFailure.INVALID if errors or status == 400 else WriteFailure.UNKNOWN


def is_rate_limited(errors: list[MyobErrorEntry]) -> bool:
    return any(error.name == RATE_LIMIT_ERROR for error in errors)


def rate_limit_problem(errors: list[MyobErrorEntry]) -> str:
    """Which of the key's limits was hit: "daily" or "per-second"."""
    return "daily" if any(_DAILY.search(error.message) for error in errors) else "per-second"


def messages(errors: list[MyobErrorEntry]) -> list[str]:
    return [error.text for error in errors]
