"""One company file's records: per resource, in creation order, each with MYOB's UID,
RowVersion, LastModified and URI. URIs are stored under the `{cf_uri}` placeholder and
written out against the host the client called."""

from __future__ import annotations

import secrets
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from localdev.emukit import Clock

CF_URI = "{cf_uri}"
Record = dict[str, Any]


def new_row_version() -> str:
    """A signed 64-bit number, as MYOB writes RowVersions."""
    return str(secrets.randbits(64) - 2**63)


def timestamp(moment: datetime) -> str:
    """MYOB's LastModified: UTC, no offset, milliseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


class Books:
    def __init__(self, company_file_id: str, clock: Clock) -> None:
        self.company_file_id = company_file_id
        self.clock = clock
        self.lock = threading.RLock()
        self.collections: dict[str, dict[str, Record]] = {}
        self.invoice_sequence = 0

    def records(self, resource: str) -> dict[str, Record]:
        return self.collections.setdefault(resource, {})

    def find(self, resource: str, uid: str | None) -> Record | None:
        if uid is None:
            return None
        return self.records(resource).get(uid.lower())

    def stamp(self, resource: str, record: Record) -> Record:
        """Give a record written now its bookkeeping fields."""
        record["UID"] = record.get("UID") or str(uuid.uuid4())
        record["LastModified"] = timestamp(self.clock.now())
        record["URI"] = f"{CF_URI}/{resource}/{record['UID']}"
        record["RowVersion"] = new_row_version()
        return record

    def store(self, resource: str, record: Record) -> Record:
        self.records(resource)[record["UID"]] = record
        return record

    def touch(self, record: Record) -> None:
        """A record changed by another write (an invoice a payment paid)."""
        record["LastModified"] = timestamp(self.clock.now())
        record["RowVersion"] = new_row_version()
