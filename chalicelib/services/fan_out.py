"""The scheduled fan-out: one sync job per ACTIVE integration that has none pending.

Its cost grows with the number of tenants only through batched calls: a GSI page,
one BatchGetItem of job slots and SendMessageBatch calls of ten per hundred
integrations. The worker claims each job's slot, so a job that races a "sync now"
is dropped there rather than run twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.integration import Integration
from chalicelib.domain.sync_run import RunTrigger, SyncJob, new_run_id
from chalicelib.observability import logger, metrics
from chalicelib.ports import Clock, IntegrationRepo, JobQueue, SyncRuns

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
        slots: SyncRuns,
        queue: JobQueue,
        clock: Clock,
        page_size: int = 100,
    ) -> None:
        self._integrations = integrations
        self._slots = slots
        self._queue = queue
        self._clock = clock
        self._page_size = page_size

    def run(self) -> FanOutResult:
        result = FanOutResult()
        for page in self._integrations.active_pages(self._page_size):
            self._enqueue_page(page, result)
        metrics.add_metric(name="ScheduledJobsEnqueued", unit="Count", value=result.enqueued)
        logger.info("fan-out finished", extra=result.__dict__)
        return result

    def _enqueue_page(self, page: list[Integration], result: FanOutResult) -> None:
        result.active += len(page)
        now = self._clock.now()
        busy = self._slots.busy_integrations([i.id for i in page], now)
        jobs = [
            SyncJob(
                tenant_id=integration.tenant_id,
                integration_id=integration.id,
                run_id=new_run_id(now),
                trigger=RunTrigger.SCHEDULE,
            )
            for integration in page
            if integration.id not in busy
        ]
        result.skipped_busy += len(page) - len(jobs)
        for start in range(0, len(jobs), SQS_BATCH):
            batch = jobs[start : start + SQS_BATCH]
            rejected = self._queue.send_batch(batch)
            if rejected:
                # One retry for entries SQS refused; the next schedule covers the rest.
                rejected = self._queue.send_batch(rejected)
            result.enqueued += len(batch) - len(rejected)
            result.failed += len(rejected)
