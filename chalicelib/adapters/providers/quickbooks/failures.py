"""QuickBooks Online's refusals, read in Intuit's terms: `Fault.Error[]` with a code.

Intuit answers a refused request (and each refused operation of a batch) with
`{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type": ...}}`; the
401 in front of the API spells it `fault`/`error`. The typed reason comes from the
code; only where Intuit reuses one code for several causes is the detail read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.app_profile import WriteFailure

# Intuit's error codes (api-reference error-codes list, and the faults the v3 SDKs test).
DUPLICATE_NAME = "6240"  # "Duplicate Name Exists Error" across Customer/Vendor/Employee, Item
DUPLICATE_DOC_NUMBER = "6140"  # "Duplicate Document Number Error"
STALE_OBJECT = "5010"  # "Stale Object Error": the SyncToken is not the current one
OBJECT_NOT_FOUND = "610"  # "Object Not Found"
PERIOD_CLOSED = "6210"  # "Account Period Closed, Cannot Update Through Services API"
INVALID_REFERENCE = "2500"  # "Invalid Reference Id"
THROTTLED = "3001"  # "ThrottleExceeded"
AUTH_FAILED = "3200"  # "AuthenticationFailed"
AUTHORIZATION_FAILED = "3100"  # "ApplicationAuthorizationFailed"

_BY_CODE: dict[str, WriteFailure] = {
    DUPLICATE_NAME: WriteFailure.NAME_TAKEN,
    DUPLICATE_DOC_NUMBER: WriteFailure.NUMBER_TAKEN,
    STALE_OBJECT: WriteFailure.STALE_VERSION,
    OBJECT_NOT_FOUND: WriteFailure.NOT_FOUND,
    PERIOD_CLOSED: WriteFailure.LOCKED_PERIOD,
}
# A transaction that payments are applied to cannot be voided or deleted; Intuit says
# so in a business validation (6000-range) detail rather than with a code of its own.
_HAS_PAYMENTS = re.compile(r"linked (transaction|payment)|has (a )?payment|applied", re.I)
# An inactive (Intuit's "deleted") customer, item, account or tax code on a write.
_INACTIVE = re.compile(r"inactive|has been deleted|make it active", re.I)


@dataclass(frozen=True)
class FaultError:
    code: str
    message: str
    detail: str
    element: str | None = None

    @property
    def text(self) -> str:
        """Intuit's own words for the person reading the run's errors."""
        return f"{self.message}: {self.detail}" if self.detail else self.message


def _field(error: dict[str, Any], name: str) -> str:
    for key in (name, name.lower(), name[0].lower() + name[1:]):
        value = error.get(key)
        if value is not None:
            return str(value)
    return ""


def fault_errors(body: Any) -> list[FaultError]:
    """The errors of a `Fault` (or the 401's `fault`) body; [] when there are none."""
    if not isinstance(body, dict):
        return []
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, dict):
        return []
    listed = fault.get("Error") or fault.get("error") or []
    return [
        FaultError(
            code=_field(error, "code"),
            message=_field(error, "Message"),
            detail=_field(error, "Detail"),
            element=_field(error, "element") or None,
        )
        for error in listed
        if isinstance(error, dict)
    ]


def fault_type(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    fault = body.get("Fault") or body.get("fault")
    return str(fault.get("type")) if isinstance(fault, dict) and fault.get("type") else None


def write_failure(errors: list[FaultError]) -> WriteFailure:
    """The typed reason for one refused operation."""
    if not errors:
        return WriteFailure.UNKNOWN
    for error in errors:
        reason = _BY_CODE.get(error.code)
        if reason is not None:
            return reason
    for error in errors:
        if _HAS_PAYMENTS.search(error.detail):
            return WriteFailure.HAS_PAYMENTS
        if _INACTIVE.search(error.detail) or _INACTIVE.search(error.message):
            return WriteFailure.ARCHIVED_REFERENCE
    return WriteFailure.INVALID


def is_throttled(errors: list[FaultError]) -> bool:
    return any(error.code == THROTTLED or "ThrottleExceeded" in error.message for error in errors)


def messages(errors: list[FaultError]) -> list[str]:
    return [error.text for error in errors if error.text]
