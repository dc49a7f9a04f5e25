"""Customers stay exactly-once through lost replies, outages, rate limits and cut-off jobs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from chalicelib.domain.sync_run import SyncJob
from localdev.xero import DEMO_TENANT_ID
from tests.support.app_kits import XeroKit, assert_one_to_one, loc8_customers
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue, run_worker
from tests.support.sync_runs import run_to_completion

CONTACTS = "/api.xro/2.0/Contacts"
LOC8_CUSTOMERS = "/v1/tenants/{tenant_id}/customers"


def assert_exactly_once(emulated: Emulated) -> None:
    kit = XeroKit(emulated)
    [integration] = emulated.container.repo.list(TENANT)
    assert_one_to_one(emulated, kit, integration.id)
    names = Counter(c.name for c in kit.contacts())
    assert max(names.values()) == 1
    emails = Counter(c["email"] for c in loc8_customers(emulated) if c["email"])
    assert emails["finance@boomfm.example.com"] == 1


def test_a_lost_xero_reply_after_commit_creates_nothing_twice(emulated):
    emulated.activate()
    emulated.xero.faults.add("PUT", CONTACTS, mode="commit_then_drop")
    run_to_completion(emulated, drain_queue())
    assert_exactly_once(emulated)


def test_a_lost_reply_retried_after_xeros_key_memory_still_creates_nothing_twice(emulated):
    emulated.activate()
    emulated.xero.faults.add("PUT", CONTACTS, mode="commit_then_drop")
    jobs = drain_queue()
    assert run_worker(emulated.client, jobs) == {"batchItemFailures": []}
    emulated.xero.clock.advance(7 * 60)  # the Idempotency-Key has expired
    run_to_completion(emulated, drain_queue())
    assert_exactly_once(emulated)


def test_a_500_and_a_429_defer_the_run_and_it_completes(emulated, queue_delays):
    emulated.activate()
    emulated.xero.faults.add("GET", CONTACTS, status=500)
    emulated.xero.faults.add(
        "PUT", CONTACTS, status=429, headers={"Retry-After": "17", "X-Rate-Limit-Problem": "minute"}
    )
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    delays = [delay for run_id, delay in queue_delays.delays if run_id == job["run_id"]]
    assert 17 in delays
    assert len(delays) >= 2
    assert_exactly_once(emulated)


def test_a_job_cut_off_between_pages_resumes_where_it_stopped(emulated):
    emulated.xero.seed(
        DEMO_TENANT_ID,
        Contacts=[
            {"Name": f"Strata Plan {n:05d}", "EmailAddress": f"sp{n}@strata.example"}
            for n in range(1_200)
        ],
    )
    emulated.activate(sync={"customers": True})
    [job] = drain_queue()
    pages_read = lambda: emulated.xero.calls[f"GET {CONTACTS}"]  # noqa: E731

    outcome = emulated.container.sync_worker.run(
        SyncJob.model_validate(job),
        remaining_time=lambda: timedelta(minutes=10 if pages_read() < 1 else 0),
    )

    assert outcome.value == "deferred"
    # The first page only: 1,000 contacts, less the four demo suppliers on it (each has
    # a bill and no sales: suppliers only).
    assert len(loc8_customers(emulated)) == 25 + 996
    run_to_completion(emulated, drain_queue())
    assert_exactly_once(emulated)
    assert len(loc8_customers(emulated)) == 1_200 + 6 + 25


def test_a_job_that_dies_mid_page_is_redone_without_duplicates(emulated):
    emulated.activate(sync={"customers": True})
    # Loc8 core stops answering part-way through the import's creates.
    emulated.loc8.faults.add("POST", LOC8_CUSTOMERS, mode="commit_then_close", times=None)
    [job] = drain_queue()
    original_customers = len(loc8_customers(emulated))
    emulated.container.sync_worker.run(
        SyncJob.model_validate(job), remaining_time=lambda: timedelta(minutes=10)
    )
    assert len(loc8_customers(emulated)) > original_customers  # committed, replies lost
    emulated.loc8.faults.clear()
    run_to_completion(emulated, drain_queue())
    assert_exactly_once(emulated)
