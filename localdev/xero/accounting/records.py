"""What every resource module shares: the record type, the write context, the
"element invalid" signal and the conversion of stored values to Xero JSON."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from localdev.xero.accounting.dates import ms_date

# A stored record: Xero's field names, typed values (Decimal, date, datetime). Stored
# records are never changed in place: an update stores a new dict (copy-on-write), so
# a response can be serialised outside the organisation's lock.
Record = dict[str, Any]

# Xero echoes a rejected new element with the all-zero GUID.
EMPTY_ID = "00000000-0000-0000-0000-000000000000"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class WriteContext:
    now: datetime  # millisecond precision, UTC
    client_id: str
    mode: str  # "create" (PUT), "upsert" (POST collection) or "update" (POST /X/{id})
    target_id: str | None = None
    unitdp: int = 2


class Invalid(Exception):
    """One element failed Xero's rules; ``element`` is what Xero echoes back for it."""

    def __init__(self, element: dict[str, Any], messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.element = element
        self.messages = messages


def plain(value: Any) -> Any:
    """Stored value -> JSON value. Nulls are omitted, as Xero omits them (and the
    spec has no `nullable`); keys starting with "_" are the emulator's own."""
    if isinstance(value, Mapping):
        return {
            key: plain(item)
            for key, item in value.items()
            if item is not None and not key.startswith("_")
        }
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return ms_date(value)
    return value


def with_errors(element: dict[str, Any], messages: list[str], flag: str) -> dict[str, Any]:
    """An element as echoed in a ValidationException or with summarizeErrors=false."""
    element[flag] = True
    element["StatusAttributeString"] = "ERROR"
    element["ValidationErrors"] = [{"Message": message} for message in messages]
    return element
