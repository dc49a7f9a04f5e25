"""Queue a sync run for an integration, reusing the one already queued or running."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.integration import Integration
from chalicelib.domain.sync_run import RecordError, RunStatus, RunTrigger, SyncJob, SyncRun
from chalicelib.observability import logger, metrics
from chalicelib.ports import Clock, JobQueue, SyncRuns

# Renewed by every delivery that works on the run; it must outlast the gap between a
# failed delivery and SQS's next one (the queue's 30-minute visibility timeout), so a
# slot only expires when its run really was lost. A run whose worker died is taken over
# much sooner, once it misses its promise to show it is alive (`RunLiveness`).
JOB_SLOT_TTL = timedelta(hours=2)


def note_takeover(run: SyncRun) -> None:
    """A worker died mid-run: worth an alarm if it keeps happening."""
    metrics.add_metric(name="SyncRunsTakenOver", unit="Count", value=1)
    logger.warning(
        "took over a run whose worker went silent",
        extra={"run_id": run.id, "abandoned_run_id": run.took_over_from},
    )


class SyncRequests:
    def __init__(self, *, runs: SyncRuns, queue: JobQueue, clock: Clock) -> None:
        self._runs = runs
        self._queue = queue
        self._clock = clock

    def request(self, integration: Integration, trigger: RunTrigger) -> tuple[SyncRun, bool]:
        """The run that will sync the integration next, and whether it was queued now."""
        now = self._clock.now()
        candidate = SyncRun.queue(integration.id, integration.tenant_id, trigger, now)
        run, created = self._runs.queue(candidate, JOB_SLOT_TTL)
        if not created:
            logger.info("sync already queued or running", extra={"run_id": run.id})
            return run, False
        try:
            self._queue.send(
                SyncJob(
                    tenant_id=integration.tenant_id,
                    integration_id=integration.id,
                    run_id=run.id,
                    trigger=trigger,
                )
            )
        except Exception:
            # Without a message nothing would ever run it: close it and free the slot.
            run.status = RunStatus.FAILED
            run.finished_at = self._clock.now()
            run.errors.append(
                RecordError(domain="sync", record=None, message="The job could not be queued.")
            )
            self._runs.save(run)
            self._runs.release_slot(integration.id, run.id)
            raise
        if run.took_over_from:
            note_takeover(run)
        logger.info("sync queued", extra={"run_id": run.id, "trigger": trigger.value})
        return run, True
