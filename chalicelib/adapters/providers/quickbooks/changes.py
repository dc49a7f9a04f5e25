"""Change Data Capture: one call per job answers every entity the sync reads.

`GET /cdc?entities=Customer,Item,Invoice,Payment&changedSince=...` lists what changed
(deleted records as tombstones) up to 30 days back and at most 1,000 objects. The
first read of a job asks for all four entities from the run's earliest start
(`expect`); later reads whose `since` is no earlier are served from that answer. The
same question can ride in another call's batch as a `CDCQuery` item (`ahead` plans
it, `take` keeps its answer): the job's settings batch carries it, so a quiet sync of
every domain costs one call. A `since` outside the window, or an answer that reached
1,000 objects, cannot be served: the caller pages with queries instead.
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
# Without the run's earliest start (`expect`), the first read asks a little further
# back than its own `since`, so the other domains' positions (saved moments apart in
# the last run) fall inside the answer. With it, no further back than that start: a
# burst of changes just before it would only fill the answer towards its 1,000.
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


@dataclass(frozen=True)
class PlannedRead:
    """A read of every entity's changes since `changed_since`, planned at `read_at`
    (just before the call that makes it)."""

    changed_since: datetime
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
        self._expected: datetime | None = None

    @property
    def entities(self) -> tuple[str, ...]:
        return self._entities

    def expect(self, since: datetime | None) -> None:
        """Where the run's earliest pass over changes starts: every read asks from
        there, so the other passes are served from the same answer."""
        self._expected = since

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
            planned = PlannedRead(self._start(since, now) or since, now)
            answer = self._take(planned, self._read(planned))
        listed = answer.by_entity.get(entity, [])
        if sum(len(records) for records in answer.by_entity.values()) >= MAX_OBJECTS:
            return None
        fresh = [r for r in listed if (updated_at(r) or since) >= since]
        fresh.sort(key=lambda r: updated_at(r) or since)
        return Changes(records=fresh, read_at=answer.read_at)

    def ahead(self, since: datetime | None = None) -> PlannedRead | None:
        """The read another call made now could carry so that reads from `since` and
        from the expected start are served without one of their own; None when the
        answer held already serves them or neither is inside CDC's window."""
        now = self._now()
        start = self._start(since, now)
        if start is None:
            return None
        held = self._answer
        if held is not None and held.changed_since <= start:
            return None
        return PlannedRead(start, now)

    def cdc_query(self, planned: PlannedRead) -> dict[str, str]:
        """A batch item's `CDCQuery` (Intuit's XSD: Entities, ChangedSince)."""
        return {
            "Entities": ",".join(self._entities),
            "ChangedSince": timestamp(planned.changed_since),
        }

    def take(self, planned: PlannedRead, responses: list[dict[str, Any]]) -> None:
        """Keep the answer to a planned read that rode in a batch (its CDCResponse)."""
        self._take(planned, responses)

    def forget(self) -> None:
        """Drop the answer held: the next read asks QuickBooks again."""
        self._answer = None

    def _start(self, since: datetime | None, now: datetime) -> datetime | None:
        """Where a read covering `since` and the expected start asks from; None when
        neither is inside the window. Every pass of the run starts at or after the
        expected start, so it is asked from exactly; a `since` before it (or with none
        expected) is widened, so positions saved moments apart fall inside."""
        expected = self._expected
        expected_inside = expected is not None and now - expected <= LOOKBACK
        if expected is not None and expected_inside and (since is None or since >= expected):
            return expected
        inside = [s for s in (since, expected) if s is not None and now - s <= LOOKBACK]
        if not inside:
            return None
        return max(min(inside) - WIDEN, now - LOOKBACK)

    def _read(self, planned: PlannedRead) -> list[dict[str, Any]]:
        body = self._client.get(
            "cdc",
            operation="change_data_capture",
            params={
                "entities": ",".join(self._entities),
                "changedSince": timestamp(planned.changed_since),
            },
        )
        return [r for r in body.get("CDCResponse") or [] if isinstance(r, dict)]

    def _take(self, planned: PlannedRead, responses: list[dict[str, Any]]) -> _Answer:
        by_entity: dict[str, list[dict[str, Any]]] = {}
        for response in responses:
            for listing in response.get("QueryResponse") or []:
                for entity in self._entities:
                    records = listing.get(entity)
                    if isinstance(records, list):
                        by_entity.setdefault(entity, []).extend(records)
        self._answer = _Answer(planned.changed_since, planned.read_at, by_entity)
        return self._answer
