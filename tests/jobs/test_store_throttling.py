"""A throttled table during a sync defers the job; it is neither retried hot nor failed."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.batch_retry import RETRY_AFTER_SECONDS, StoreThrottled
from tests.support.fakes import FakeAccountingSettings
from tests.support.jobs import drain_queue, run_worker


def test_a_store_that_stays_throttled_defers_the_run(api, active, loc8, container, clock):
    class ThrottledWhileSyncing(FakeAccountingSettings):
        def tax_rates(self):
            raise StoreThrottled()

    container.providers.settings = ThrottledWhileSyncing()
    [job] = drain_queue()

    assert run_worker(api, [job]) == {"batchItemFailures": []}

    run = container.sync_runs.get(active, job["run_id"])
    assert run.status.value == "DEFERRED"
    assert run.deferred_until == clock.now() + timedelta(seconds=RETRY_AFTER_SECONDS)
    [continuation] = drain_queue()
    assert (continuation["run_id"], continuation["trigger"]) == (job["run_id"], "continuation")
