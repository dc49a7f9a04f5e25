"""One run of a sync job: its trigger, progress, per-domain counts and record errors."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    DEFERRED = "DEFERRED"
    FAILED = "FAILED"


FINISHED = frozenset({RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED})

ABANDONED_MESSAGE = "The worker stopped without finishing; a new run took over."
TOOK_OVER_MESSAGE = (
    "Took over from run {run_id}, whose worker stopped without finishing; "
    "synced on from where it stopped."
)


class RunTakenOver(Exception):
    """A later run took this one over: its old worker must stop and write nothing more."""


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"
    ACTIVATION = "activation"
    CONTINUATION = "continuation"
    WEBHOOK = "webhook"


class Direction(StrEnum):
    """Which way records went: from Loc8 to the app, or from the app into Loc8."""

    TO_APP = "to_app"
    TO_LOC8 = "to_loc8"


class DomainCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    def plus(self, other: DomainCounts) -> DomainCounts:
        return DomainCounts(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            failed=self.failed + other.failed,
        )


OUTCOMES = frozenset(DomainCounts.model_fields)


class DomainTally(BaseModel):
    """One domain's counts in a run, by the way the records went."""

    to_app: DomainCounts = Field(default_factory=DomainCounts)
    to_loc8: DomainCounts = Field(default_factory=DomainCounts)
    # A run stored before counts had a direction keeps its totals here, which way unknown.
    undirected: DomainCounts | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_undirected(cls, data: object) -> object:
        if isinstance(data, dict) and OUTCOMES & data.keys():
            return {"undirected": data}
        return data

    def toward(self, direction: Direction) -> DomainCounts:
        return self.to_app if direction is Direction.TO_APP else self.to_loc8

    @property
    def total(self) -> DomainCounts:
        both = self.to_app.plus(self.to_loc8)
        return both.plus(self.undirected) if self.undirected else both

    @property
    def has_directions(self) -> bool:
        return self.undirected is None


class RecordError(BaseModel):
    domain: str
    record: str | None
    message: str


def new_run_id(now: datetime) -> str:
    # Sortable by time so "newest first" is a plain reverse key order.
    return f"run_{now.strftime('%Y%m%d%H%M%S%f')}_{secrets.token_hex(4)}"


class SyncRun(BaseModel):
    id: str
    integration_id: str
    tenant_id: str
    trigger: RunTrigger
    status: RunStatus = RunStatus.QUEUED
    queued_at: AwareDatetime
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None
    counts: dict[str, DomainTally] = Field(default_factory=dict)
    errors: list[RecordError] = Field(default_factory=list)
    # Record errors beyond the per-run cap: counted here instead of kept in `errors`.
    errors_truncated: int = 0
    deferred_until: AwareDatetime | None = None
    # Set when a run's worker stopped renewing it and a later run took its place.
    taken_over_by: str | None = None
    took_over_from: str | None = None

    @classmethod
    def queue(
        cls, integration_id: str, tenant_id: str, trigger: RunTrigger, now: datetime
    ) -> SyncRun:
        return cls(
            id=new_run_id(now),
            integration_id=integration_id,
            tenant_id=tenant_id,
            trigger=trigger,
            queued_at=now,
        )

    def abandon(self, successor_id: str, now: datetime) -> None:
        """Close a run whose worker went silent, naming the run that took its place."""
        self.status = RunStatus.FAILED
        self.finished_at = now
        self.deferred_until = None
        self.taken_over_by = successor_id
        self.errors.append(RecordError(domain="sync", record=None, message=ABANDONED_MESSAGE))

    def take_over_from(self, abandoned_id: str) -> None:
        self.took_over_from = abandoned_id
        message = TOOK_OVER_MESSAGE.format(run_id=abandoned_id)
        self.errors.append(RecordError(domain="sync", record=None, message=message))

    def counts_json(self) -> dict[str, Any]:
        """`counts`: per domain, both directions added up (as runs always reported);
        `counts_by_direction`: the same per direction, for domains counted that way."""
        return {
            "counts": {domain: t.total.model_dump() for domain, t in self.counts.items()},
            "counts_by_direction": {
                domain: {d.value: t.toward(d).model_dump() for d in Direction}
                for domain, t in self.counts.items()
                if t.has_directions
            },
        }

    @property
    def has_failures(self) -> bool:
        return any(tally.total.failed for tally in self.counts.values())

    @property
    def is_finished(self) -> bool:
        # A run deferred past what SQS can delay ends there (finished_at is set).
        return self.status in FINISHED or self.finished_at is not None


class SyncJob(BaseModel):
    """The SQS message that asks a worker to run (or continue) one sync run."""

    tenant_id: str
    integration_id: str
    run_id: str
    trigger: RunTrigger
