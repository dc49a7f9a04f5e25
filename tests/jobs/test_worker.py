"""The SQS worker through Chalice's Lambda invoke: runs, deferrals, failures, duplicates."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.accounting import TaxRate
from chalicelib.domain.errors import AccessRevoked, RateLimited
from chalicelib.domain.sync_run import SyncJob
from tests.support.auth import bearer
from tests.support.fakes import FakeAccountingSettings, loc8_line_item
from tests.support.jobs import activate, drain_queue, run_worker

XERO_RATES = {
    "OUTPUT": ("GST on Income", "10"),
    "EXEMPTOUTPUT": ("GST Free Income", "0"),
}


def test_the_activation_run_makes_loc8s_tax_types_equal_xeros(api, active, loc8, container):
    [job] = drain_queue()
    assert run_worker(api, [job]) == {"batchItemFailures": []}

    assert loc8.active_tax_types("tenant-a") == XERO_RATES
    run = api.http.get(
        f"/v1/integrations/{active}/sync-runs/{job['run_id']}", headers=bearer()
    ).json_body
    assert run["status"] == "SUCCEEDED"
    assert run["counts"]["tax_rates"] == {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}
    integration = api.http.get(f"/v1/integrations/{active}", headers=bearer()).json_body
    assert integration["last_sync"]["run_id"] == job["run_id"]
    assert integration["last_sync"]["status"] == "SUCCEEDED"
    assert container.sync_runs.slot_holder(active) is None


def test_archived_and_expense_rates_are_not_offered_and_one_gone_from_the_app_stays_in_loc8(
    api, active, loc8, container
):
    xero = container.providers.settings
    xero.tax_rates_list = [
        *xero.tax_rates_list,
        TaxRate(
            code="INPUT", name="GST on Expenses", rate=10, status="ACTIVE", applies_to_revenue=False
        ),
        TaxRate(code="OLD", name="Old rate", rate=5, status="ARCHIVED"),
    ]
    [job] = drain_queue()
    run_worker(api, [job])
    assert set(loc8.active_tax_types("tenant-a")) == {"OUTPUT", "EXEMPTOUTPUT"}

    xero.tax_rates_list = [r for r in xero.tax_rates_list if r.code != "EXEMPTOUTPUT"]
    sync_now = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
    [again] = drain_queue()
    assert again["run_id"] == sync_now.json_body["run_id"]
    run_worker(api, [again])
    # Line items and invoices may use it: it stays active, as it is, and is reported.
    assert set(loc8.active_tax_types("tenant-a")) == {"OUTPUT", "EXEMPTOUTPUT"}
    run = container.sync_runs.get(active, again["run_id"])
    assert run.counts["tax_rates"].to_loc8.updated == 0
    assert run.counts["tax_rates"].to_loc8.unchanged == 1
    assert run.status.value == "SUCCEEDED"
    [note] = [e for e in run.errors if e.domain == "tax_rates"]
    assert note.record == "EXEMPTOUTPUT"
    assert "was left as it is" in note.message


def test_a_sync_where_nothing_changed_reads_each_loc8_collection_once_and_writes_nothing(
    api, active, loc8
):
    [job] = drain_queue()
    run_worker(api, [job])
    calls_before = len(loc8.calls)
    api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
    [again] = drain_queue()
    run_worker(api, [again])
    # Tax rates unchanged in the app: no Loc8 call at all. Each other enabled step
    # reads Loc8's changes since its position, one page, and has nothing to write.
    assert loc8.calls[calls_before:] == ["customer_pages", "line_item_pages", "invoice_pages"]


def test_a_second_delivery_of_the_same_job_runs_nothing(api, active, loc8, container):
    [job] = drain_queue()
    run_worker(api, [job])
    calls = list(loc8.calls)
    assert run_worker(api, [job]) == {"batchItemFailures": []}
    assert loc8.calls == calls
    runs = api.http.get(f"/v1/integrations/{active}/sync-runs", headers=bearer()).json_body["runs"]
    assert len(runs) == 1


def test_a_429_defers_and_the_continuation_completes_without_duplicates(
    api, active, loc8, container, clock, queue_delays
):
    class LimitedOnce(FakeAccountingSettings):
        limited = True

        def tax_rates(self):
            if self.limited:
                self.limited = False
                raise RateLimited("Xero's minute rate limit was reached.", 42, "minute")
            return super().tax_rates()

    container.providers.settings = LimitedOnce()
    [job] = drain_queue()
    assert run_worker(api, [job]) == {"batchItemFailures": []}

    deferred = container.sync_runs.get(active, job["run_id"])
    assert deferred.status.value == "DEFERRED"
    assert deferred.deferred_until == clock.now() + timedelta(seconds=42)
    [continuation] = drain_queue()
    assert continuation["run_id"] == job["run_id"]
    assert continuation["trigger"] == "continuation"
    assert queue_delays.delays[-1] == (job["run_id"], 42)
    assert container.sync_runs.slot_holder(active) == job["run_id"], "no other run may start"

    run_worker(api, [continuation])
    finished = container.sync_runs.get(active, job["run_id"])
    assert finished.status.value == "SUCCEEDED"
    assert loc8.calls.count("create_tax_type") == len(XERO_RATES)  # each once
    assert loc8.active_tax_types("tenant-a") == XERO_RATES


def test_running_out_of_lambda_time_defers_with_an_immediate_continuation(api, active, container):
    [job] = drain_queue()
    outcome = container.sync_worker.run(
        SyncJob.model_validate(job), remaining_time=lambda: timedelta(milliseconds=500)
    )
    assert outcome.value == "deferred"
    [continuation] = drain_queue()
    assert continuation["trigger"] == "continuation"
    assert container.sync_runs.get(active, job["run_id"]).status.value == "DEFERRED"


def test_revoked_access_needs_reconnect_and_is_not_retried(api, active, container):
    class Revoked(FakeAccountingSettings):
        def tax_rates(self):
            raise AccessRevoked("Xero access was revoked; reconnect to resume syncing.")

    container.providers.settings = Revoked()
    [job] = drain_queue()
    assert run_worker(api, [job]) == {"batchItemFailures": []}
    integration = api.http.get(f"/v1/integrations/{active}", headers=bearer()).json_body
    assert integration["status"] == "NEEDS_RECONNECT"
    assert integration["attention"]["code"] == "NEEDS_RECONNECT"
    run = api.http.get(
        f"/v1/integrations/{active}/sync-runs/{job['run_id']}", headers=bearer()
    ).json_body
    assert run["status"] == "FAILED"
    assert "revoked" in run["errors"][0]["message"]
    assert drain_queue() == []


def test_one_failing_job_does_not_rerun_the_others(api, fake_app, loc8, container):
    first = activate(api, fake_app, tenant="tenant-a", organisation_id="org-a")
    second = activate(api, fake_app, tenant="tenant-b", organisation_id="org-b")
    jobs = {job["integration_id"]: job for job in drain_queue()}
    loc8.failures["tax_types"] = RuntimeError("Loc8 core exploded")

    response = run_worker(api, [jobs[first], jobs[second]])

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert container.sync_runs.get(second, jobs[second]["run_id"]).status.value == "SUCCEEDED"
    retried = container.sync_runs.get(first, jobs[first]["run_id"])
    assert retried.status.value == "RUNNING"
    assert run_worker(api, [jobs[first]]) == {"batchItemFailures": []}
    assert container.sync_runs.get(first, jobs[first]["run_id"]).status.value == "SUCCEEDED"


def test_the_last_delivery_before_the_dlq_marks_the_run_failed(api, active, loc8, container):
    [job] = drain_queue()
    loc8.failures["tax_types"] = RuntimeError("still broken")
    response = run_worker(api, [job], receive_count=5)
    assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    run = container.sync_runs.get(active, job["run_id"])
    assert run.status.value == "FAILED"
    assert run.errors[-1].message == "The run failed repeatedly; it was logged."
    assert "still broken" not in run.model_dump_json()  # exception text stays in the logs
    assert container.sync_runs.slot_holder(active) is None


def test_a_job_for_a_paused_integration_is_closed_without_syncing(api, active, loc8, container):
    api.http.post(f"/v1/integrations/{active}/pause", headers=bearer())
    [job] = drain_queue()
    calls_before = len(loc8.calls)  # saving the config read Loc8's line items
    run_worker(api, [job])
    run = container.sync_runs.get(active, job["run_id"])
    assert run.status.value == "FAILED"
    assert "PAUSED" in run.errors[0].message
    assert loc8.calls[calls_before:] == []


def test_a_copy_running_elsewhere_is_retried_later(api, active, container, clock):
    [job] = drain_queue()
    container.leases.acquire(
        f"sync-job#{active}", "other-worker", timedelta(minutes=5), clock.now()
    )
    assert run_worker(api, [job]) == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}


def test_a_day_limit_ends_the_run_and_holds_off_the_schedule(api, active, loc8, container, clock):
    class DayLimit(FakeAccountingSettings):
        def tax_rates(self):
            raise RateLimited("Xero's day rate limit was reached.", 7200, "day")

    container.providers.settings = DayLimit()
    [job] = drain_queue()
    assert run_worker(api, [job]) == {"batchItemFailures": []}

    run = container.sync_runs.get(active, job["run_id"])
    assert run.status.value == "DEFERRED"
    assert run.deferred_until == clock.now() + timedelta(hours=2)
    assert run.finished_at is not None
    assert drain_queue() == [], "no continuation: SQS cannot wait two hours"
    assert container.sync_runs.busy_integrations([active], clock.now()) == {active}
    assert (
        container.sync_runs.busy_integrations([active], clock.now() + timedelta(hours=3)) == set()
    )
    assert run_worker(api, [job]) == {"batchItemFailures": []}  # a late duplicate is dropped


def test_a_duplicate_of_a_finished_scheduled_job_is_dropped_not_dead_lettered(
    api, active, loc8, container, clock
):
    run_worker(api, drain_queue())
    clock.advance(minutes=15)
    api.lambda_.invoke(
        "sync_scheduler",
        api.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        ),
    )
    [scheduled] = drain_queue()
    assert run_worker(api, [scheduled]) == {"batchItemFailures": []}
    assert run_worker(api, [scheduled]) == {"batchItemFailures": []}
    assert container.sync_runs.get(active, scheduled["run_id"]).status.value == "SUCCEEDED"


def test_a_nearly_spent_app_budget_defers_until_the_app_refills(
    api, active, loc8, container, queue_delays
):
    [job] = drain_queue()
    app = container.providers.app_for(container.repo.get("tenant-a", active))
    app.calls_left = app.profile.min_calls_left - 1
    assert run_worker(api, [job]) == {"batchItemFailures": []}

    run = container.sync_runs.get(active, job["run_id"])
    assert run.status.value == "DEFERRED"
    assert queue_delays.delays[-1] == (job["run_id"], 30)  # the fake app refills in 30 s
    app.calls_left = None
    run_worker(api, drain_queue())
    assert container.sync_runs.get(active, job["run_id"]).status.value == "SUCCEEDED"


def test_record_errors_beyond_the_cap_are_counted_and_shown(api, active, loc8, container):
    from chalicelib.domain.accounting import WriteResult
    from chalicelib.domain.app_profile import WriteFailure

    class RefusesItems(FakeAccountingSettings):
        def save_items(self, items, idempotency_key: str) -> list:
            self.calls.append("save_items")
            return [
                WriteResult(ok=False, errors=["Price is invalid."], reason=WriteFailure.INVALID)
                for _ in items
            ]

    container.providers.settings = RefusesItems()
    loc8.line_items["tenant-a"] = [
        loc8_line_item(f"li_{n}", f"ITEM{n:03d}", f"Item {n}") for n in range(205)
    ]
    [job] = drain_queue()
    assert run_worker(api, [job]) == {"batchItemFailures": []}

    run = api.http.get(
        f"/v1/integrations/{active}/sync-runs/{job['run_id']}", headers=bearer()
    ).json_body
    assert run["status"] == "PARTIAL"
    assert run["counts"]["line_items"]["failed"] == 205
    assert len(run["errors"]) == 200
    assert run["errors_truncated"] == 5
