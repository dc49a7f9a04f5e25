"""The scheduled fan-out: one sync job per ACTIVE integration that has none pending.

Its cost grows with the number of tenants only through batched calls: one Query page
of the fan-out index per hundred items (a held job slot is indexed right after its
integration, so the page itself says which are busy) and one SendMessageBatch per ten
jobs. The index is read eventually consistently, so a slot taken a moment ago may not
show: the worker claims each job's slot, so such a job is dropped there rather than
run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.integration import Integration
from chalicelib.domain.sync_run import RunTrigger, SyncJob, new_run_id
from chalicelib.observability import logger, metrics
from chalicelib.ports import Clock, IntegrationRepo, JobQueue

SQS_BATCH = 10


@dataclass
class FanOutResult:
    active: int = 0
    skipped_busy: int = 0
    enqueued: int = 0
    failed: int = 0


class FanOut:
    def __init__(
        self,
        *,
        integrations: IntegrationRepo,
        queue: JobQueue,
        clock: Clock,
        page_size: int = 100,
    ) -> None:
        self._integrations = integrations
        self._queue = queue
        self._clock = clock
        self._page_size = page_size

    def run(self) -> FanOutResult:
        result = FanOutResult()
        # Jobs carry over between pages so every SendMessageBatch but the last is full.
        unsent: list[SyncJob] = []
        for page in self._integrations.active_pages(self._page_size):
            unsent += self._due_jobs(page, result)
            while len(unsent) >= SQS_BATCH:
                self._send(unsent[:SQS_BATCH], result)
                del unsent[:SQS_BATCH]
        if unsent:
            self._send(unsent, result)
        metrics.add_metric(name="ScheduledJobsEnqueued", unit="Count", value=result.enqueued)
        logger.info("fan-out finished", extra=result.__dict__)
        return result

    def _due_jobs(
        self, page: list[tuple[Integration, datetime | None]], result: FanOutResult
    ) -> list[SyncJob]:
        """A job for each integration of the page whose job slot is free."""
        result.active += len(page)
        now = self._clock.now()
        jobs = [
            SyncJob(
                tenant_id=integration.tenant_id,
                integration_id=integration.id,
                run_id=new_run_id(now),
                trigger=RunTrigger.SCHEDULE,
            )
            for integration, slot_held_until in page
            if slot_held_until is None or slot_held_until < now
        ]
        result.skipped_busy += len(page) - len(jobs)
        return jobs

    def _send(self, batch: list[SyncJob], result: FanOutResult) -> None:
        rejected = self._queue.send_batch(batch)
        if rejected:
            # One retry for entries SQS refused; the next schedule covers the rest.
            rejected = self._queue.send_batch(rejected)
        result.enqueued += len(batch) - len(rejected)
        result.failed += len(rejected)
