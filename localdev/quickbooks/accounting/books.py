"""One company's records, with the indexes QuickBooks' uniqueness rules need.

Records are kept in the JSON shape the API answers with (dicts keyed by Id, insertion
order = creation order), so reading is a copy and seeding 10,000 customers stays linear.
Ids are numeric strings counted per entity, as QuickBooks numbers them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from localdev.quickbooks.accounting.locales import Locale

Record = dict[str, Any]

# DisplayName is unique across these three (Intuit: "Duplicate Name Exists Error", 6240).
NAME_LISTS = ("Customer", "Vendor", "Employee")
_SELECTIONS_KEPT = 16


def fold(value: str) -> str:
    """QuickBooks compares names case-insensitively and ignores outer spaces."""
    return value.strip().casefold()


class Books:
    def __init__(self, locale: Locale) -> None:
        # Guards every table; held for a whole write (or batch item) and for a read's
        # filter and slice, never while a response is serialised.
        self.lock = threading.RLock()
        self.locale = locale
        self.zone = ZoneInfo(locale.timezone)
        self.tables: dict[str, dict[str, Record]] = {}
        self.deleted: dict[str, dict[str, Record]] = {}  # tombstones CDC reports
        self.names: dict[str, tuple[str, str]] = {}  # folded DisplayName -> (entity, Id)
        self.item_names: dict[str, str] = {}  # folded Item Name -> Id
        self.account_names: dict[str, str] = {}  # folded Account Name -> Id
        self.doc_numbers: dict[str, str] = {}  # folded Invoice DocNumber -> Id
        self._next_ids: dict[str, int] = {}
        # Bumped by every change, so a query's filtered and sorted records can be reused
        # for its next page (paging 50,000 customers re-sorts them once, not per page).
        self.version = 0
        self._selections: dict[Hashable, tuple[int, list[Record]]] = {}

    def table(self, entity: str) -> dict[str, Record]:
        return self.tables.setdefault(entity, {})

    def take_id(self, entity: str) -> str:
        number = self._next_ids.get(entity, 1)
        self._next_ids[entity] = number + 1
        return str(number)

    def stamp(self, moment: datetime) -> str:
        """A MetaData time as QuickBooks writes it: the company's local time and offset."""
        local = moment.astimezone(self.zone).replace(microsecond=0)
        return local.isoformat()

    def changed(self) -> None:
        self.version += 1

    def selection(self, key: Hashable, compute: Callable[[], list[Record]]) -> list[Record]:
        """The records a query picks, computed once per version of the books."""
        cached = self._selections.get(key)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        chosen = compute()
        if len(self._selections) >= _SELECTIONS_KEPT:
            self._selections.pop(next(iter(self._selections)))
        self._selections[key] = (self.version, chosen)
        return chosen

    def counts(self) -> dict[str, int]:
        return {entity: len(records) for entity, records in self.tables.items()}

    # --- writes shared by every entity module ----------------------------------------------
    def insert(
        self, entity: str, record: Record, now: datetime, *, record_id: str | None = None
    ) -> Record:
        """Give a new record its Id, SyncToken "0" and MetaData, and file it."""
        stamp = self.stamp(now)
        record["Id"] = record_id or self.take_id(entity)
        record["SyncToken"] = "0"
        record["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
        record.setdefault("domain", "QBO")
        record.setdefault("sparse", False)
        self.table(entity)[record["Id"]] = record
        self.changed()
        return record

    def touch(self, record: Record, now: datetime) -> None:
        """An update: SyncToken goes up by one and LastUpdatedTime moves on."""
        record["SyncToken"] = str(int(record["SyncToken"]) + 1)
        record["MetaData"] = {**record["MetaData"], "LastUpdatedTime": self.stamp(now)}
        self.changed()

    def remove(self, entity: str, record_id: str, now: datetime) -> Record:
        """Delete for good, leaving the tombstone CDC reports ({"Id", "status", "MetaData"})."""
        record = self.table(entity).pop(record_id)
        tombstone = {
            "domain": "QBO",
            "status": "Deleted",
            "Id": record_id,
            "MetaData": {"LastUpdatedTime": self.stamp(now)},
        }
        self.deleted.setdefault(entity, {})[record_id] = tombstone
        self.changed()
        return record
