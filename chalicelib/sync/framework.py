"""What every domain syncer gets and must do.

A syncer reads changes since its cursor (walked by `sync.paging`), writes them to the
other side, and saves its cursor after every page, so a job cut short (rate limit,
Lambda time) resumes where it stopped. It never sleeps: when the app's rate budget or
the Lambda's time runs low it raises `Defer`. What differs between apps comes from
`context.app.profile`, never from the app's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.integration import Integration
from chalicelib.domain.links import LinkScope
from chalicelib.domain.sync_config import SyncConfig
from chalicelib.domain.sync_run import Direction, DomainCounts, DomainTally, RecordError, SyncRun
from chalicelib.ports import AccountingApp, Clock, Cursors, Links, Loc8Api

# Time a Lambda needs after the last page to record the run and re-enqueue itself.
DEFAULT_TIME_RESERVE = timedelta(seconds=45)
# The wait when the app says its budget is spent but not when it refills.
UNKNOWN_REFILL_SECONDS = 60.0


class Defer(Exception):
    """Stop now, keep the cursors, continue after `delay_seconds`."""

    def __init__(self, reason: str, delay_seconds: float) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay_seconds = delay_seconds


@dataclass
class SyncContext:
    integration: Integration
    config: SyncConfig
    run: SyncRun
    app: AccountingApp
    loc8: Loc8Api
    cursors: Cursors
    links: Links
    clock: Clock
    remaining_time: Callable[[], timedelta]
    time_reserve: timedelta = DEFAULT_TIME_RESERVE
    record_errors_cap: int = 200
    # What a run reads once and several syncers use (e.g. the tax code lookup), by name.
    run_lookups: dict[str, Any] = field(default_factory=dict, init=False)
    # Positions read or written in this run: one run per integration holds the slot, so
    # what it last read or wrote is what the store holds (the worker reads every app
    # position up front for `expect_changes_since`; the syncers then read them again).
    _positions: dict[str, str | None] = field(default_factory=dict, init=False)

    @property
    def tenant_id(self) -> str:
        return self.integration.tenant_id

    @property
    def app_name(self) -> str:
        return self.app.profile.name

    @property
    def scope(self) -> LinkScope:
        organisation = self.integration.organisation
        if organisation is None:
            raise ValueError("An integration without an organisation cannot sync.")
        return LinkScope(self.integration.tenant_id, self.integration.app, organisation.id)

    def counts(self, domain: str, direction: Direction) -> DomainCounts:
        """The run's counts for records of `domain` going `direction` (shown even at 0)."""
        return self.run.counts.setdefault(domain, DomainTally()).toward(direction)

    def record_error(
        self, domain: str, direction: Direction, record: str | None, message: str
    ) -> None:
        self.counts(domain, direction).failed += 1
        self._note(RecordError(domain=domain, record=record, message=message))

    def record_conflict(self, domain: str, record: str | None, message: str) -> None:
        """Both sides changed; the newer change was kept. Noted, not counted as failed."""
        self._note(RecordError(domain=domain, record=record, message=f"Conflict: {message}"))

    def record_note(self, domain: str, record: str | None, message: str) -> None:
        """Something the user should know about a record, that is not a failure."""
        self._note(RecordError(domain=domain, record=record, message=message))

    def _note(self, error: RecordError) -> None:
        # The run keeps the first errors in full; the rest are counted, never lost.
        if len(self.run.errors) < self.record_errors_cap:
            self.run.errors.append(error)
        else:
            self.run.errors_truncated += 1

    def cursor(self, name: str) -> str | None:
        if name not in self._positions:
            self._positions[name] = self.cursors.get(self.integration.id, name)
        return self._positions[name]

    def save_cursor(self, name: str, value: str) -> None:
        self.cursors.put(self.integration.id, name, value)
        self._positions[name] = value

    def now(self) -> datetime:
        return self.clock.now()

    def check_budget(self) -> None:
        """Raise `Defer` when the Lambda's time or the app's rate budget is nearly spent."""
        if self.remaining_time() < self.time_reserve:
            raise Defer("The run used its time; it continues in a new invocation.", 0)
        profile = self.app.profile
        budget = self.app.rate_budget()
        if budget.calls_left is not None and budget.calls_left < profile.min_calls_left:
            raise Defer(
                f"{self.app_name}'s call budget is nearly spent.",
                budget.refill_seconds or UNKNOWN_REFILL_SECONDS,
            )


class DomainSyncer(Protocol):
    domain: str
    # The saved positions of its passes over the app's changes (none: it reads none).
    app_positions: tuple[str, ...]

    def sync(self, context: SyncContext) -> None: ...
