"""Change Data Capture: `GET /cdc?entities=Customer,Invoice&changedSince=<date-time>`.

Intuit's CDC reference: the records of each named entity changed at or after
`changedSince` (deleted ones as `{"Id", "status": "Deleted", "MetaData"}`, inactive
ones as they are), looking back at most 30 days, at most 1,000 objects per entity in
one answer. Which 1,000 Intuit picks when more changed is not documented; the emulator
answers the 1,000 most recently changed (newest last), so a client that treats a full
answer as complete, or moves its cursor past it, misses the older ones and finds out
here: at 1,000 a client must read with queries instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from localdev.quickbooks.accounting import faults
from localdev.quickbooks.accounting.books import Books, Record
from localdev.quickbooks.accounting.query import parse_moment, stored_moment

LOOK_BACK = timedelta(days=30)
MAX_PER_ENTITY = 1000


def parse_request(
    entities: str | None,
    changed_since: str | None,
    known: frozenset[str],
    books: Books,
    now: datetime,
) -> tuple[list[str], datetime]:
    if not entities:
        raise faults.required_missing("entities")
    if not changed_since:
        raise faults.required_missing("changedSince")
    names: list[str] = []
    for raw in entities.split(","):
        name = next((k for k in known if k.lower() == raw.strip().lower()), None)
        if name is None:
            raise faults.invalid_value(f"Invalid entity name for CDC: {raw.strip()}", "entities")
        if name not in names:
            names.append(name)
    since = parse_moment(changed_since, books.zone)
    if since is None:
        raise faults.invalid_value(
            f"changedSince is not a valid date-time: {changed_since}", "changedSince"
        )
    if since < now - LOOK_BACK:
        raise faults.invalid_value(
            "changedSince must be within the last 30 days; read older changes with queries",
            "changedSince",
        )
    return names, since


def changes(books: Books, entity: str, since: datetime) -> list[Record]:
    """Changed and deleted records of one entity, oldest change first, capped at 1,000."""
    changed = [
        record
        for record in (*books.table(entity).values(), *books.deleted.get(entity, {}).values())
        if stored_moment(record["MetaData"]["LastUpdatedTime"]) >= since
    ]
    changed.sort(key=lambda record: stored_moment(record["MetaData"]["LastUpdatedTime"]))
    return changed[-MAX_PER_ENTITY:]


def response_part(entity: str, records: list[Record]) -> dict[str, Any]:
    if not records:
        return {}
    return {
        entity: records,
        "startPosition": 1,
        "maxResults": len(records),
        "totalCount": len(records),
    }
