"""Runs one sync job: claim it, run the enabled domains, record the outcome.

At-least-once delivery is expected: a job whose run already finished, or whose
integration has another run in its slot, is dropped; a copy of a job that is still
running elsewhere is retried later (the lease says so). The worker never sleeps on
the app: when a limit, the delivery's time budget or the Lambda's time runs short it
saves its place, re-enqueues itself with a delay and records DEFERRED. While it works
it keeps showing it is alive (`RunLiveness`); a run whose worker went silent is taken
over by the next request, and its worker, should it wake up, stops without writing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from chalicelib.domain.errors import (
    AccessRevoked,
    NotFound,
    ProviderUnavailable,
    RateLimited,
    TemporarilyUnavailable,
)
from chalicelib.domain.integration import Integration, IntegrationStatus
from chalicelib.domain.loc8_errors import Loc8Unavailable
from chalicelib.domain.sync_config import SyncConfig
from chalicelib.domain.sync_run import (
    RecordError,
    RunStatus,
    RunTakenOver,
    RunTrigger,
    SyncJob,
    SyncRun,
)
from chalicelib.observability import logger, metrics
from chalicelib.ports import (
    AccountingApps,
    Clock,
    Cursors,
    IntegrationRepo,
    JobQueue,
    Leases,
    Links,
    Loc8Api,
    SyncRuns,
)
from chalicelib.services.integration_updates import mark_needs_reconnect, update_integration
from chalicelib.services.run_liveness import RunLiveness
from chalicelib.services.sync_requests import JOB_SLOT_TTL, note_takeover
from chalicelib.sync.framework import DEFAULT_TIME_RESERVE, Defer, DomainSyncer, SyncContext
from chalicelib.sync.positions import earliest_app_start

MAX_DELAY_SECONDS = 900
# Defaults of SYNC_DELIVERY_BUDGET_SECONDS and SYNC_RUN_STALE_AFTER_SECONDS.
DEFAULT_DELIVERY_BUDGET = timedelta(minutes=4)
DEFAULT_STALE_AFTER = timedelta(minutes=3)


class JobOutcome(StrEnum):
    DONE = "done"
    DEFERRED = "deferred"
    DROPPED = "dropped"


class JobBusy(Exception):
    """Another copy of this job is running; the message should come back later."""


@dataclass(frozen=True)
class DomainStep:
    """A syncer and the config switch that enables it."""

    switch: str
    syncer: DomainSyncer


class SyncWorker:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        runs: SyncRuns,
        queue: JobQueue,
        leases: Leases,
        cursors: Cursors,
        links: Links,
        apps: AccountingApps,
        loc8: Loc8Api,
        clock: Clock,
        steps: Sequence[DomainStep],
        time_reserve: timedelta = DEFAULT_TIME_RESERVE,
        delivery_budget: timedelta = DEFAULT_DELIVERY_BUDGET,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> None:
        self._repo = repo
        self._runs = runs
        self._queue = queue
        self._leases = leases
        self._cursors = cursors
        self._links = links
        self._apps = apps
        self._loc8 = loc8
        self._clock = clock
        self._steps = steps
        self._time_reserve = time_reserve
        self._delivery_budget = delivery_budget
        self._stale_after = stale_after

    def run(
        self, job: SyncJob, remaining_time: Callable[[], timedelta], final_attempt: bool = False
    ) -> JobOutcome:
        logger.append_keys(
            tenant_id=job.tenant_id, integration_id=job.integration_id, run_id=job.run_id
        )
        try:
            integration = self._repo.get(job.tenant_id, job.integration_id)
        except NotFound:
            logger.warning("job for an unknown integration dropped")
            return JobOutcome.DROPPED
        run = self._claim(job, integration)
        if run is None:
            return JobOutcome.DROPPED
        lease_owner = secrets.token_hex(8)
        lease_name = f"sync-job#{integration.id}"
        # The lease lasts no longer than the run's promise to show it is alive, so
        # whoever takes a silent run over can start on it at once.
        if not self._leases.acquire(lease_name, lease_owner, self._stale_after, self._clock.now()):
            raise JobBusy(f"Run {run.id} is already being worked on.")
        liveness = RunLiveness(
            runs=self._runs,
            leases=self._leases,
            clock=self._clock,
            run=run,
            lease_name=lease_name,
            lease_owner=lease_owner,
            stale_after=self._stale_after,
            slot_ttl=JOB_SLOT_TTL,
        )
        deadline = self._clock.now() + self._delivery_budget

        def time_left() -> timedelta:
            # Syncers ask between pages: the moment to show the run is still alive.
            liveness.renew_if_due()
            return min(remaining_time(), deadline - self._clock.now())

        continuation: list[tuple[SyncJob, int]] = []
        try:
            return self._run_claimed(integration, run, liveness, time_left, continuation)
        except RunTakenOver:
            logger.warning("a later run took this one over; stopped without writing")
            return JobOutcome.DROPPED
        except Exception as error:
            logger.exception("sync job failed", extra={"error": type(error).__name__})
            if final_attempt:
                # Only a fixed message reaches the API: exception text can carry secrets.
                with contextlib.suppress(RunTakenOver):
                    self._finish(run, RunStatus.FAILED, "The run failed repeatedly; it was logged.")
            else:
                # Best effort: if even this fails, the run is merely taken over sooner.
                with contextlib.suppress(Exception):
                    liveness.await_retry()
            raise
        finally:
            self._leases.release(lease_name, lease_owner)
            # After the release, so the continuation never finds its own lease held.
            for next_job, delay in continuation:
                self._queue.send(next_job, delay_seconds=delay)

    def _claim(self, job: SyncJob, integration: Integration) -> SyncRun | None:
        """The run this message should work on, or None when it must be dropped."""
        if job.trigger is RunTrigger.SCHEDULE:
            candidate = SyncRun(
                id=job.run_id,
                integration_id=integration.id,
                tenant_id=integration.tenant_id,
                trigger=job.trigger,
                queued_at=self._clock.now(),
            )
            run, created = self._runs.queue(candidate, JOB_SLOT_TTL)
            if not created and run.id != job.run_id:
                logger.info("another run holds the slot; scheduled job dropped")
                return None
            if created and run.took_over_from:
                note_takeover(run)
        else:
            try:
                run = self._runs.get(integration.id, job.run_id)
            except NotFound:
                logger.warning("job for an unknown run dropped")
                return None
        if run.is_finished:
            logger.info("run already finished; duplicate delivery dropped")
            return None
        if integration.status is not IntegrationStatus.ACTIVE:
            self._finish(
                run,
                RunStatus.FAILED,
                f"Not synced: the integration is {integration.status.value}.",
            )
            return None
        return run

    def _run_claimed(
        self,
        integration: Integration,
        run: SyncRun,
        liveness: RunLiveness,
        remaining_time: Callable[[], timedelta],
        continuation: list[tuple[SyncJob, int]],
    ) -> JobOutcome:
        config = SyncConfig.model_validate(integration.config)
        # Whoever works on the run keeps its slot for a full TTL from now.
        try:
            liveness.renew()
        except RunTakenOver:
            # Raises RunTakenOver again if the later run closed this one already.
            self._finish(run, RunStatus.FAILED, "Superseded by a later run.")
            return JobOutcome.DROPPED
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or self._clock.now()
        run.deferred_until = None
        self._runs.save(run)
        metrics.add_metric(name="SyncJobsStarted", unit="Count", value=1)
        context = SyncContext(
            integration=integration,
            config=config,
            run=run,
            app=self._apps.app_for(integration),
            loc8=self._loc8,
            cursors=self._cursors,
            links=self._links,
            clock=self._clock,
            remaining_time=remaining_time,
            time_reserve=self._time_reserve,
        )
        enabled = config.sync.model_dump()
        try:
            context.app.expect_changes_since(
                earliest_app_start(
                    context, [s.syncer for s in self._steps if enabled.get(s.switch)]
                )
            )
            for step in self._steps:
                if enabled.get(step.switch):
                    context.check_budget()
                    step.syncer.sync(context)
                    self._runs.save(run)
        except RateLimited as limited:
            metrics.add_metric(name="RateLimited", unit="Count", value=1)
            return self._defer(
                run, limited.message, limited.retry_after_seconds or 60, liveness, continuation
            )
        except Defer as deferral:
            return self._defer(run, deferral.reason, deferral.delay_seconds, liveness, continuation)
        except AccessRevoked as revoked:
            mark_needs_reconnect(self._repo, integration, revoked.message, self._clock)
            self._finish(run, RunStatus.FAILED, revoked.message)
            return JobOutcome.DONE
        except (ProviderUnavailable, Loc8Unavailable, TemporarilyUnavailable) as unavailable:
            delay = unavailable.retry_after_seconds or 60
            return self._defer(run, unavailable.message, delay, liveness, continuation)
        status = RunStatus.PARTIAL if run.has_failures else RunStatus.SUCCEEDED
        self._finish(run, status)
        return JobOutcome.DONE

    def _defer(
        self,
        run: SyncRun,
        reason: str,
        delay_seconds: float,
        liveness: RunLiveness,
        continuation: list[tuple[SyncJob, int]],
    ) -> JobOutcome:
        now = self._clock.now()
        delay = max(0, int(delay_seconds))
        run.status = RunStatus.DEFERRED
        run.deferred_until = now + timedelta(seconds=delay)
        metrics.add_metric(name="SyncDeferrals", unit="Count", value=1)
        logger.info("run deferred", extra={"reason": reason, "delay_seconds": delay})
        if delay <= MAX_DELAY_SECONDS:
            self._runs.save(run)
            liveness.wait_for(timedelta(seconds=delay))
            continuation.append(
                (
                    SyncJob(
                        tenant_id=run.tenant_id,
                        integration_id=run.integration_id,
                        run_id=run.id,
                        trigger=RunTrigger.CONTINUATION,
                    ),
                    delay,
                )
            )
            return JobOutcome.DEFERRED
        # A wait longer than SQS can delay (the day limit) ends this run; the slot
        # stays held until then so no schedule starts early, and the next scheduled
        # run carries on from the saved cursors.
        run.finished_at = now
        run.errors.append(RecordError(domain="sync", record=None, message=f"Deferred: {reason}"))
        self._runs.save(run)
        self._runs.extend_slot(run.integration_id, run.id, run.deferred_until)
        self._record_last_sync(run)
        return JobOutcome.DEFERRED

    def _finish(self, run: SyncRun, status: RunStatus, message: str | None = None) -> None:
        run.status = status
        run.finished_at = self._clock.now()
        run.deferred_until = None
        if message:
            run.errors.append(RecordError(domain="sync", record=None, message=message))
        self._runs.save(run)
        self._runs.release_slot(run.integration_id, run.id)
        self._record_last_sync(run)
        metrics.add_metric(name=f"SyncRuns{status.value.title()}", unit="Count", value=1)
        logger.info("run finished", extra={"status": status.value})

    def _record_last_sync(self, run: SyncRun) -> None:
        finished = run.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ") if run.finished_at else None
        summary = {
            "run_id": run.id,
            "status": run.status.value,
            "finished_at": finished,
            **run.counts_json(),
        }

        def change(integration: Integration) -> bool:
            integration.last_sync = summary
            return True

        update_integration(self._repo, run.tenant_id, run.integration_id, change)
