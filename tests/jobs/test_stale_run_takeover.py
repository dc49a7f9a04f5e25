"""A worker that dies mid-run never stalls its integration past the stale period.

The death is what Lambda does at its timeout: the worker stops where it is and nothing
of ours runs afterwards (its job lease is not given back). "Sync now" or the schedule
then take the silent run over; a not-yet-silent run is still answered as before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.sync_run import SyncJob
from tests.support.auth import bearer
from tests.support.fakes import FakeAccountingSettings
from tests.support.jobs import drain_queue, run_worker

STALE_AFTER = timedelta(minutes=3)  # the default SYNC_RUN_STALE_AFTER_SECONDS


class KilledMidRun(BaseException):
    """Lambda ending the worker: no except or finally of the service handles it."""


class LeasesOfAProcessThatDies:
    """The job leases, except that a dying worker never gives its lease back."""

    def __init__(self, leases) -> None:
        self._leases = leases
        self.dead = False

    def acquire(self, *args, **kwargs) -> bool:
        return self._leases.acquire(*args, **kwargs)

    def release(self, name: str, owner: str) -> None:
        if not self.dead:
            self._leases.release(name, owner)


class DiesWritingItems(FakeAccountingSettings):
    """An app whose first item write kills the worker, after tax rates were synced."""

    dies = True

    def save_items(self, items, idempotency_key: str) -> list:
        if self.dies:
            self.dies = False
            raise KilledMidRun()
        return super().save_items(items, idempotency_key)


@pytest.fixture
def dying_leases(container) -> LeasesOfAProcessThatDies:
    leases = LeasesOfAProcessThatDies(container.leases)
    container.__dict__["leases"] = leases
    return leases


def crash_the_activation_run(api, container, dying_leases) -> dict:
    app = DiesWritingItems()
    container.providers.settings = app
    [job] = drain_queue()
    dying_leases.dead = True
    with pytest.raises(KilledMidRun):
        container.sync_worker.run(
            SyncJob.model_validate(job), remaining_time=lambda: timedelta(minutes=15)
        )
    dying_leases.dead = False
    return job


def sync_now(api, integration_id: str) -> str:
    response = api.http.post(f"/v1/integrations/{integration_id}/sync", headers=bearer())
    assert response.status_code == 202
    return response.json_body["run_id"]


def run_json(api, integration_id: str, run_id: str) -> dict:
    return api.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{run_id}", headers=bearer()
    ).json_body


def test_sync_now_takes_over_a_run_whose_worker_died_and_the_new_run_succeeds(
    api, active, loc8, container, clock, dying_leases, caplog
):
    crashed = crash_the_activation_run(api, container, dying_leases)
    assert run_json(api, active, crashed["run_id"])["status"] == "RUNNING"

    clock.advance(seconds=STALE_AFTER.total_seconds() + 60)
    new_run_id = sync_now(api, active)

    assert new_run_id != crashed["run_id"]
    abandoned = run_json(api, active, crashed["run_id"])
    assert abandoned["status"] == "FAILED"
    assert abandoned["finished_at"] is not None
    assert abandoned["errors"][-1]["message"] == (
        "The worker stopped without finishing; a new run took over."
    )
    assert crashed["run_id"] in run_json(api, active, new_run_id)["errors"][0]["message"]
    assert "took over a run whose worker went silent" in caplog.text  # for the operator

    [job] = drain_queue()
    assert job["run_id"] == new_run_id
    assert run_worker(api, [job]) == {"batchItemFailures": []}
    assert run_json(api, active, new_run_id)["status"] == "SUCCEEDED"
    # The dead run's tax rates were kept, and its item is written once, by the new run.
    assert loc8.calls.count("create_tax_type") == 2  # Xero's two sales rates, once each
    assert [item.code for item in container.providers.settings.items_list] == ["LAB"]
    assert container.sync_runs.slot_holder(active) is None


def test_a_run_not_yet_silent_for_the_stale_period_is_still_answered(
    api, active, loc8, container, clock, dying_leases
):
    crashed = crash_the_activation_run(api, container, dying_leases)
    clock.advance(seconds=STALE_AFTER.total_seconds() - 10)

    assert sync_now(api, active) == crashed["run_id"]
    assert run_json(api, active, crashed["run_id"])["status"] == "RUNNING"
    assert drain_queue() == []


def test_a_late_copy_of_the_dead_job_changes_nothing_after_the_takeover(
    api, active, loc8, container, clock, dying_leases
):
    crashed = crash_the_activation_run(api, container, dying_leases)
    clock.advance(seconds=STALE_AFTER.total_seconds() + 60)
    new_run_id = sync_now(api, active)
    run_worker(api, drain_queue())
    calls = list(loc8.calls)
    app_calls = list(container.providers.settings.calls)

    # SQS gives the dead worker's message out again once its visibility timeout ends.
    assert run_worker(api, [crashed], receive_count=2) == {"batchItemFailures": []}

    assert loc8.calls == calls
    assert container.providers.settings.calls == app_calls
    assert run_json(api, active, crashed["run_id"])["status"] == "FAILED"
    assert run_json(api, active, new_run_id)["status"] == "SUCCEEDED"


def test_the_schedule_takes_over_a_silent_run(api, active, loc8, container, clock, dying_leases):
    crashed = crash_the_activation_run(api, container, dying_leases)
    clock.advance(minutes=15)

    api.lambda_.invoke(
        "sync_scheduler",
        api.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        ),
    )
    [scheduled] = drain_queue()
    assert run_worker(api, [scheduled]) == {"batchItemFailures": []}

    assert run_json(api, active, scheduled["run_id"])["status"] == "SUCCEEDED"
    assert run_json(api, active, crashed["run_id"])["status"] == "FAILED"


def test_a_worker_that_wakes_after_its_run_was_taken_over_stops_without_writing(
    api, active, loc8, container, clock
):
    taken_over_by: list[str] = []

    class SlowTaxRates(FakeAccountingSettings):
        """Reading tax rates hangs past the stale period; meanwhile someone syncs."""

        def tax_rates(self) -> list:
            clock.advance(seconds=STALE_AFTER.total_seconds() + 60)
            taken_over_by.append(sync_now(api, active))
            return super().tax_rates()

    container.providers.settings = SlowTaxRates()
    [job] = drain_queue()

    outcome = container.sync_worker.run(
        SyncJob.model_validate(job), remaining_time=lambda: timedelta(minutes=15)
    )

    assert outcome.value == "dropped"
    abandoned = run_json(api, active, job["run_id"])
    assert abandoned["status"] == "FAILED"
    assert abandoned["errors"][-1]["message"].startswith("The worker stopped without finishing")
    assert container.sync_runs.slot_holder(active) == taken_over_by[0]
    assert run_json(api, active, taken_over_by[0])["status"] == "QUEUED"


def test_one_delivery_stops_at_its_time_budget_and_continues_in_another(
    api, active, loc8, container, clock, queue_delays
):
    class SlowTaxRates(FakeAccountingSettings):
        def tax_rates(self) -> list:
            clock.advance(minutes=5)  # past the delivery's 4-minute budget
            return super().tax_rates()

    container.providers.settings = SlowTaxRates()
    [job] = drain_queue()

    outcome = container.sync_worker.run(
        SyncJob.model_validate(job), remaining_time=lambda: timedelta(minutes=15)
    )

    assert outcome.value == "deferred"
    assert run_json(api, active, job["run_id"])["status"] == "DEFERRED"
    [continuation] = drain_queue()
    assert continuation["run_id"] == job["run_id"]
    assert queue_delays.delays[-1] == (job["run_id"], 0)


def test_a_delivery_that_failed_keeps_its_run_for_the_sqs_retry(
    api, active, loc8, container, clock
):
    [job] = drain_queue()
    loc8.failures["tax_types"] = RuntimeError("Loc8 core exploded")  # the first call only
    assert run_worker(api, [job]) == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    clock.advance(minutes=20)  # within the queue's visibility timeout, past the stale period

    assert sync_now(api, active) == job["run_id"]
    assert run_worker(api, [job], receive_count=2) == {"batchItemFailures": []}
    assert run_json(api, active, job["run_id"])["status"] == "SUCCEEDED"
