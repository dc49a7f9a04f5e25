"""Change Data Capture: one call per job answers every entity the sync reads.

`GET /cdc?entities=Customer,Item,Invoice,Payment&changedSince=...` lists what changed
(deleted records as tombstones) up to 30 days back and at most 1,000 objects. The
first read of a job asks for all four entities; later reads whose `since` is no
earlier are served from that answer, so a quiet sync of every domain costs one call.
A `since` outside the window, or an answer that reached 1,000 objects, cannot be
served: the caller pages with queries instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient
from chalicelib.adapters.providers.quickbooks.mappers import updated_at
from chalicelib.adapters.providers.quickbooks.query import timestamp

ENTITIES = ("Customer", "Item", "Invoice", "Payment")
# Intuit's look-back is 30 days; an hour is kept back for clocks that disagree.
LOOKBACK = timedelta(days=30) - timedelta(hours=1)
# The first read asks a little further back than its own `since`, so the other
# domains' positions (saved moments apart in the last run) fall inside the answer.
WIDEN = timedelta(minutes=15)
# Intuit's most objects per CDC answer: "1,000 objects per entity" in the CDC guide,
# "1,000 objects per response" elsewhere. The stricter reading is taken: an answer
# holding 1,000 of one entity, or of all together, may be cut short.
MAX_OBJECTS = 1000


@dataclass(frozen=True)
class Changes:
    records: list[dict[str, Any]]
    # Taken just before the call that read them: what is judged from them is no later.
    read_at: datetime


@dataclass
class _Answer:
    changed_since: datetime
    read_at: datetime
    by_entity: dict[str, list[dict[str, Any]]]


class ChangeFeed:
    def __init__(
        self,
        client: QuickBooksClient,
        now: Callable[[], datetime],
        entities: tuple[str, ...] = ENTITIES,
    ) -> None:
        self._client = client
        self._now = now
        self._entities = entities
        self._answer: _Answer | None = None

    def changes(self, entity: str, since: datetime | None) -> Changes | None:
        """`entity`'s records changed at or after `since`, oldest first; None when CDC
        cannot answer for them."""
        if since is None or entity not in self._entities:
            return None
        now = self._now()
        if now - since > LOOKBACK:
            return None
        answer = self._answer
        if answer is None or since < answer.changed_since:
            answer = self._answer = self._read(max(since - WIDEN, now - LOOKBACK), now)
        listed = answer.by_entity.get(entity, [])
        if sum(len(records) for records in answer.by_entity.values()) >= MAX_OBJECTS:
            return None
        fresh = [r for r in listed if (updated_at(r) or since) >= since]
        fresh.sort(key=lambda r: updated_at(r) or since)
        return Changes(records=fresh, read_at=answer.read_at)

    def forget(self) -> None:
        """Drop the answer held: the next read asks QuickBooks again."""
        self._answer = None

    def _read(self, changed_since: datetime, read_at: datetime) -> _Answer:
        body = self._client.get(
            "cdc",
            operation="change_data_capture",
            params={
                "entities": ",".join(self._entities),
                "changedSince": timestamp(changed_since),
            },
        )
        by_entity: dict[str, list[dict[str, Any]]] = {}
        for response in body.get("CDCResponse") or []:
            for listing in response.get("QueryResponse") or []:
                for entity in self._entities:
                    records = listing.get(entity)
                    if isinstance(records, list):
                        by_entity.setdefault(entity, []).extend(records)
        return _Answer(changed_since=changed_since, read_at=read_at, by_entity=by_entity)
