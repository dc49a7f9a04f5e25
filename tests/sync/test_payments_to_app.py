"""Payments taken in Loc8 → the app's invoices, through Xero's emulator and Fake Books
(app_side): the same amounts and dates, once, whatever fails; and nothing echoes back."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.accounting import AppInvoiceStatus
from chalicelib.domain.sync_run import SyncJob
from tests.support.invoices import (
    FakeBooksSide,
    XeroSide,
    app_invoice,
    configure,
    get_run,
    loc8_invoice,
    loc8_invoices,
    money,
    void_in_loc8,
    writes_for,
)
from tests.support.jobs import drain_queue, run_worker
from tests.support.payments import (
    BANK,
    app_payments,
    loc8_payments,
    payment_faults,
    record_in_loc8,
    with_loc8_payments,
)
from tests.support.sync_runs import run_to_completion, sync

# The demo tenant: 15 invoices paid in Loc8 and 3 part paid, one payment each.
PAID, PART_PAID = 15, 3


def activate_with_payments(emulated, status: str = "DRAFT") -> tuple[str, dict]:
    integration_id = configure(emulated, status=status, payments_into=BANK)
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    return integration_id, get_run(emulated, integration_id, job["run_id"])


def sent_payments(run: dict) -> dict:
    return run["counts_by_direction"]["payments"]["to_app"]


def assert_paid_alike(emulated, app_side) -> None:
    """Every invoice with payments taken in Loc8 has the same payments in the app, owes
    the same, and is paid there when it is paid in full in Loc8."""
    invoices = with_loc8_payments(emulated)
    assert invoices
    for invoice in invoices:
        sent = app_invoice(app_side, invoice["number"])
        assert app_payments(app_side, invoice["number"]) == loc8_payments(invoice)
        assert money(sent.amount_due) == money(invoice["amount_due"]), invoice["number"]
        if money(invoice["amount_due"]) == 0:
            assert sent.status is AppInvoiceStatus.PAID, invoice["number"]
        else:
            assert sent.status is AppInvoiceStatus.APPROVED, invoice["number"]


def no_app_payment_came_back(emulated) -> None:
    """Loc8 holds no payment imported from the app that was taken in Loc8 itself."""
    for invoice in loc8_invoices(emulated):
        assert all(p["app"] == "loc8" for p in invoice["payments"]), invoice["number"]


@pytest.mark.parametrize("configured", ["DRAFT", "AUTHORISED"])
def test_activation_pays_every_invoice_paid_in_loc8_with_the_same_amounts_and_dates(
    emulated, app_side, configured
):
    integration_id, run = activate_with_payments(emulated, configured)

    assert run["status"] == "SUCCEEDED", run["errors"]
    invoices = with_loc8_payments(emulated)
    assert len([i for i in invoices if i["status"] == "paid"]) == PAID
    assert len([i for i in invoices if i["status"] == "issued"]) == PART_PAID
    assert_paid_alike(emulated, app_side)  # drafts or not, a paid invoice went approved
    assert sent_payments(run)["created"] == PAID + PART_PAID
    assert run["counts_by_direction"]["payments"]["to_loc8"]["created"] == 0
    no_app_payment_came_back(emulated)

    writes = app_side.reads()["writes"]
    again = sync(emulated, integration_id)

    assert again["status"] == "SUCCEEDED", again["errors"]
    assert app_side.reads()["writes"] == writes  # a second sync changes nothing
    assert sent_payments(again)["created"] == 0
    assert again["counts"]["invoices"]["created"] == again["counts"]["invoices"]["updated"] == 0
    no_app_payment_came_back(emulated)


def test_a_further_loc8_payment_arrives_and_an_app_payment_still_reaches_loc8(emulated, app_side):
    integration_id, _ = activate_with_payments(emulated, "AUTHORISED")
    part_paid = next(i for i in with_loc8_payments(emulated) if i["status"] == "issued")
    unpaid = next(
        i for i in loc8_invoices(emulated) if i["status"] == "issued" and not i["payments"]
    )
    record_in_loc8(emulated, part_paid["id"], money(part_paid["amount_due"]), date(2026, 11, 25))
    app_payment = app_side.pay(app_invoice(app_side, unpaid["number"]).id, Decimal("40.00"))

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert sent_payments(run)["created"] == 1
    assert run["counts_by_direction"]["payments"]["to_loc8"]["created"] == 1
    paid_now = loc8_invoice(emulated, part_paid["id"])
    assert len(app_payments(app_side, part_paid["number"])) == 2
    assert app_payments(app_side, part_paid["number"]) == loc8_payments(paid_now)
    assert app_invoice(app_side, part_paid["number"]).status is AppInvoiceStatus.PAID
    [imported] = loc8_invoice(emulated, unpaid["id"])["payments"]
    assert (imported["app"], imported["external_id"]) == ("xero", app_payment)
    # Neither side echoes the other's payment back.
    assert [p.id for p in app_invoice(app_side, unpaid["number"]).payments] == [app_payment]
    assert all(p["app"] == "loc8" for p in paid_now["payments"])

    again = sync(emulated, integration_id)
    assert sent_payments(again)["created"] == 0
    assert again["counts_by_direction"]["payments"]["to_loc8"]["created"] == 0


def test_a_draft_sent_before_a_payment_was_taken_is_approved_to_take_it(emulated):
    app_side = XeroSide(emulated)  # Fake Books has no drafts
    integration_id, _ = activate_with_payments(emulated, "DRAFT")
    unpaid = next(
        i for i in loc8_invoices(emulated) if i["status"] == "issued" and not i["payments"]
    )
    assert app_invoice(app_side, unpaid["number"]).status is AppInvoiceStatus.DRAFT
    record_in_loc8(emulated, unpaid["id"], Decimal("25.00"), date(2026, 11, 26))

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    sent = app_invoice(app_side, unpaid["number"])
    assert sent.status is AppInvoiceStatus.APPROVED
    assert app_payments(app_side, unpaid["number"]) == [(Decimal("25.00"), "2026-11-26")]
    assert run["counts_by_direction"]["invoices"]["to_app"]["updated"] == 1


def test_a_lost_answer_never_pays_twice(emulated, app_side):
    faults = payment_faults(app_side)
    integration_id = configure(emulated, status="AUTHORISED", payments_into=BANK)
    faults.lose_next_answer()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    app_side.forget_idempotency_keys()  # Xero's expire; Fake Books has none

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert sent_payments(run)["created"] == PAID + PART_PAID
    assert_paid_alike(emulated, app_side)  # looked up and linked, not paid again
    no_app_payment_came_back(emulated)
    again = sync(emulated, integration_id)
    assert sent_payments(again)["created"] == 0
    assert_paid_alike(emulated, app_side)


def test_a_lost_answer_within_the_keys_lifetime_never_pays_twice(emulated):
    app_side = XeroSide(emulated)
    faults = payment_faults(app_side)
    integration_id = configure(emulated, status="AUTHORISED", payments_into=BANK)
    faults.lose_next_answer()
    [job] = drain_queue()

    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert_paid_alike(emulated, app_side)
    no_app_payment_came_back(emulated)


@pytest.mark.parametrize("error", ["unavailable", "rate_limited"])
def test_a_refused_request_defers_the_run_and_the_continuation_pays_once(
    emulated, app_side, queue_delays, error
):
    faults = payment_faults(app_side)
    integration_id = configure(emulated, status="AUTHORISED", payments_into=BANK)
    faults.fail_next(error)
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    if error == "rate_limited":
        assert queue_delays.delays[-1] == (job["run_id"], 37)

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert sent_payments(run)["created"] == PAID + PART_PAID
    assert_paid_alike(emulated, app_side)


def test_a_job_stopped_after_the_first_payments_resumes_without_paying_twice(
    emulated, app_side, monkeypatch
):
    if isinstance(app_side, XeroSide):  # smaller batches than Xero's, to stop between two
        smaller = dataclasses.replace(XERO_PROFILE, write_batch_size=10)
        monkeypatch.setattr(XeroAccounting, "profile", property(lambda _self: smaller))
        app_side.profile = smaller
    faults = payment_faults(app_side)
    integration_id = configure(emulated, status="AUTHORISED", payments_into=BANK)
    [job] = drain_queue()

    def remaining_time() -> timedelta:
        # The Lambda runs out of time as soon as the first batch of payments is in.
        return timedelta(0) if faults.creates() >= 1 else timedelta(minutes=10)

    fields = {k: v for k, v in job.items() if not k.startswith("_")}
    outcome = emulated.container.sync_worker.run(SyncJob.model_validate(fields), remaining_time)
    assert outcome.value == "deferred"
    assert faults.creates() == 1

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert sent_payments(run)["created"] == PAID + PART_PAID
    # Payments go in batches per invoice batch; no batch was sent twice.
    assert faults.creates() == writes_for(app_side, PAID + PART_PAID)
    assert_paid_alike(emulated, app_side)


def test_voiding_in_loc8_an_invoice_with_payments_in_the_app_is_reported(emulated, app_side):
    integration_id, _ = activate_with_payments(emulated, "AUTHORISED")
    part_paid = next(i for i in with_loc8_payments(emulated) if i["status"] == "issued")
    void_in_loc8(emulated, part_paid)

    run = sync(emulated, integration_id)

    assert run["status"] == "PARTIAL"
    [error] = [e for e in run["errors"] if e["record"] == part_paid["number"]]
    assert error["domain"] == "invoices"
    assert "has payments" in error["message"]
    assert f"remove them in {app_side.profile.name}" in error["message"]
    still = app_invoice(app_side, part_paid["number"])
    assert still.status is AppInvoiceStatus.APPROVED
    assert len(still.payments) == 1


def test_without_the_payments_switch_loc8_payments_stay_in_loc8(emulated, app_side):
    integration_id = configure(emulated, status="AUTHORISED")  # saved without `payments`
    [job] = drain_queue()
    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    for invoice in with_loc8_payments(emulated):
        assert app_invoice(app_side, invoice["number"]).payments == []
    assert sent_payments(run)["created"] == 0


def test_a_payment_whose_answer_is_missing_is_neither_paid_twice_nor_imported_back(emulated):
    app_side = FakeBooksSide(emulated)
    integration_id = configure(emulated, status="AUTHORISED", payments_into=BANK)
    app_side.app.shorten_next_answer("create_payments")
    [job] = drain_queue()
    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "PARTIAL"
    # An answer one short cannot be lined up: the whole batch's outcome is unknown.
    batch = app_side.profile.write_batch_size
    errors = [e for e in run["errors"] if e["domain"] == "payments"]
    assert len(errors) == batch
    assert all("did not say what happened" in e["message"] for e in errors)
    assert sent_payments(run) == {
        "created": PAID + PART_PAID - batch,
        "updated": 0,
        "unchanged": 0,
        "failed": batch,
    }
    # The app made them; the app → Loc8 pass waits rather than take them for its own.
    no_app_payment_came_back(emulated)

    again = sync(emulated, integration_id)

    assert again["status"] == "SUCCEEDED", again["errors"]
    assert sent_payments(again)["created"] == batch  # looked up and linked
    assert_paid_alike(emulated, app_side)
    no_app_payment_came_back(emulated)
    assert app_side.app.calls["create_payments"] == writes_for(app_side, PAID + PART_PAID)
