"""A working run shows it is alive, so a run whose worker crashed can be taken over.

While it works, the worker renews two promises at once: the job slot's (the run may be
taken over once it passes) and the job lease's (no second copy of the job may start
before it passes). The slot is renewed first, so the lease never outlives the slot's
promise: whoever takes a silent run over never finds the silent worker's lease held.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.sync_run import RunTakenOver, SyncRun
from chalicelib.ports import Clock, Leases, SyncRuns

# How many renewals fit in one stale period, so one slow page never makes a live run
# look silent.
RENEWALS_PER_STALE_PERIOD = 3


class RunLiveness:
    def __init__(
        self,
        *,
        runs: SyncRuns,
        leases: Leases,
        clock: Clock,
        run: SyncRun,
        lease_name: str,
        lease_owner: str,
        stale_after: timedelta,
        slot_ttl: timedelta,
    ) -> None:
        self._runs = runs
        self._leases = leases
        self._clock = clock
        self._run = run
        self._lease_name = lease_name
        self._lease_owner = lease_owner
        self._stale_after = stale_after
        self._slot_ttl = slot_ttl
        self._renewed_at: datetime | None = None

    def renew(self) -> None:
        """Promise to show life again within the stale period; RunTakenOver if a later
        run (or another copy of this job) has the integration now."""
        now = self._clock.now()
        run = self._run
        if not self._runs.extend_slot(
            run.integration_id, run.id, now + self._slot_ttl, alive_until=now + self._stale_after
        ):
            raise RunTakenOver(f"Run {run.id} no longer holds its integration's job slot.")
        if not self._leases.acquire(self._lease_name, self._lease_owner, self._stale_after, now):
            raise RunTakenOver(f"Another worker holds the job lease of run {run.id}.")
        self._renewed_at = now

    def renew_if_due(self) -> None:
        due = self._renewed_at is None or (
            self._clock.now() - self._renewed_at >= self._stale_after / RENEWALS_PER_STALE_PERIOD
        )
        if due:
            self.renew()

    def wait_for(self, delay: timedelta) -> None:
        """The run waits `delay` for its continuation: it stays held that long and the
        continuation's worker then has the usual stale period to show up."""
        now = self._clock.now()
        run = self._run
        self._runs.extend_slot(
            run.integration_id,
            run.id,
            now + self._slot_ttl,
            alive_until=now + delay + self._stale_after,
        )

    def await_retry(self) -> None:
        """The delivery failed and SQS will deliver the job again once the queue's
        visibility timeout ends (well within the slot's TTL): the run keeps its slot
        for that retry instead of being taken over as silent."""
        now = self._clock.now()
        until = now + self._slot_ttl
        self._runs.extend_slot(self._run.integration_id, self._run.id, until, alive_until=until)
