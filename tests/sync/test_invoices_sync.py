"""Loc8 invoices → the accounting app against the Loc8 emulator, through Xero's emulator
and through Fake Books (other limits: 3 invoices a write, no drafts, removal by deletion,
no idempotency keys): exactly once, whatever fails."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.accounting import AppInvoiceStatus
from chalicelib.domain.sync_run import SyncJob
from localdev.loc8.schemas import InvoiceIn, LineItemIn, validated
from tests.support.emulated import TENANT
from tests.support.invoices import (
    INVOICES,
    LOC8_INVOICES,
    SENT,
    FakeBooksSide,
    XeroSide,
    activate,
    an_issued_invoice_with,
    app_invoice,
    as_written,
    assert_mirrored,
    callout_account,
    configure,
    edit_loc8_invoice,
    get_run,
    item_accounts_on_lines,
    item_codes_on_lines,
    loc8_invoice,
    ours,
    sent_loc8_invoices,
    sent_status,
    void_in_loc8,
    writes_for,
)
from tests.support.jobs import drain_queue, run_worker
from tests.support.sync_runs import run_to_completion, sync


@pytest.mark.parametrize("configured", ["DRAFT", "AUTHORISED"])
def test_activation_sends_every_issued_and_paid_invoice_once_and_no_draft(
    emulated, app_side, configured
):
    accounts = callout_account(emulated)
    _integration_id, run = activate(emulated, accounts=accounts, status=configured)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert_mirrored(emulated, app_side, accounts)
    assert len(sent_loc8_invoices(emulated)) == SENT
    assert run["counts"]["invoices"] == {
        "created": SENT,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    # Draft as configured where the app has drafts; approved where it has none.
    assert {i.status for i in ours(app_side)} == {sent_status(app_side, configured)}
    # Full batches, however the Loc8 pages fall: Xero 1 request, Fake Books 11.
    assert app_side.creates() == writes_for(app_side, SENT)


def test_gst_free_lines_keep_their_tax_code(emulated, app_side):
    _integration_id, run = activate(emulated, status="AUTHORISED")
    assert run["status"] == "SUCCEEDED", run["errors"]
    tax_codes = {line.tax_type for i in ours(app_side) for line in i.lines}
    # the backflow fee is GST free
    assert tax_codes == {app_side.tax_codes["GST"], app_side.tax_codes["GST_FREE"]}


def test_catalogue_lines_name_the_apps_item_when_line_items_sync_too(emulated, app_side):
    # A short code every app holds (Fake Books takes 5 characters; Loc8's longer
    # demo codes are reported by the line items step there, and sent without an item).
    tenant = emulated.loc8.tenant(TENANT)
    gutters = tenant.create_line_item(
        validated(
            LineItemIn,
            {"code": "GUTR", "name": "Gutter clean", "unit_price": "85.00", "tax_type_code": "GST"},
        )
    )
    invoice = sent_loc8_invoices(emulated)[0]
    tenant.add_invoice(
        validated(
            InvoiceIn,
            {
                "customer_id": invoice["customer_id"],
                "reference": "Gutters",
                "issue_date": invoice["issue_date"],
                "due_date": invoice["due_date"],
                "status": "issued",
                "lines": [
                    {
                        "line_item_id": gutters.id,
                        "description": "Gutter clean",
                        "quantity": "1",
                        "unit_price": "85.00",
                        "tax_type_code": "GST",
                    }
                ],
            },
        )
    )
    domains = {**INVOICES, "line_items": True}
    _integration_id, run = activate(emulated, sync_domains=domains)
    assert run["counts"]["invoices"]["failed"] == 0, run["errors"]
    codes = item_codes_on_lines(emulated, app_side)
    assert codes[gutters.id] == "GUTR"
    # Lines of items the config leaves unmapped keep the account each app item has.
    item_accounts = item_accounts_on_lines(emulated, app_side)
    assert item_accounts, "the app items carry their sales accounts"
    assert_mirrored(emulated, app_side, item_codes=codes, item_accounts=item_accounts)
    assert app_side.reads()["items"] >= 1


def test_a_sync_where_nothing_changed_reads_one_page_per_side(emulated, app_side):
    integration_id, _ = activate(emulated)
    sync(emulated, integration_id)  # sees Loc8's echo of the external references
    app_before, loc8_before = app_side.reads(), emulated.loc8.calls

    run = sync(emulated, integration_id)

    app_calls = app_side.reads() - app_before
    loc8_calls = emulated.loc8.calls - loc8_before
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_calls[LOC8_INVOICES] == 1
    assert loc8_calls["GET /v1/tenants/{tenant_id}/invoices/{invoice_id}"] == 0
    assert app_calls == Counter(invoices=1, payments=1)  # no items read, nothing written
    assert not [call for call in loc8_calls if not call.startswith("GET")]  # no Loc8 write
    zero = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    assert run["counts"]["invoices"] == run["counts"]["payments"] == zero


def test_the_echo_of_the_first_push_is_recognised(emulated, app_side):
    integration_id, _ = activate(emulated)
    run = sync(emulated, integration_id)
    assert run["counts"]["invoices"] == {
        "created": 0,
        "updated": 0,
        "unchanged": SENT,
        "failed": 0,
    }
    assert app_side.updates() == 0
    assert app_side.creates() == writes_for(app_side, SENT)


def test_a_lost_answer_is_replayed_by_xeros_idempotency_key(emulated):
    app_side = XeroSide(emulated)
    integration_id = configure(emulated)
    app_side.lose_next_create_answer()
    [job] = drain_queue()

    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert app_side.creates() == 2  # the second was answered from memory
    assert run["counts"]["invoices"]["created"] == SENT
    assert_mirrored(emulated, app_side)


def test_a_lost_answer_the_app_no_longer_remembers_is_looked_up_not_sent_again(emulated, app_side):
    integration_id = configure(emulated)
    app_side.lose_next_create_answer()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    batch = min(SENT, app_side.profile.write_batch_size)
    assert len(ours(app_side)) == batch  # the app kept them; we never heard
    app_side.forget_idempotency_keys()  # Xero's expire; Fake Books has none

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    # Looked up and linked: the lost batch is never sent again, nor corrected.
    assert app_side.creates() == writes_for(app_side, SENT)
    assert app_side.updates() == 0
    assert run["counts"]["invoices"]["created"] == SENT
    assert_mirrored(emulated, app_side)
    again = sync(emulated, integration_id)
    assert again["counts"]["invoices"]["created"] == 0
    assert_mirrored(emulated, app_side)


@pytest.mark.parametrize("error", ["unavailable", "rate_limited"])
def test_a_refused_request_defers_the_run_and_the_continuation_finishes_it(
    emulated, app_side, queue_delays, error
):
    integration_id = configure(emulated)
    app_side.fail_next_create(error)
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    if error == "rate_limited":
        assert queue_delays.delays[-1] == (job["run_id"], 37)

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["invoices"]["created"] == SENT
    assert app_side.creates() == 1 + writes_for(app_side, SENT)
    assert_mirrored(emulated, app_side)


def test_a_job_stopped_mid_page_resumes_without_duplicates(emulated, app_side, monkeypatch):
    if isinstance(app_side, XeroSide):  # smaller batches than Xero's, to stop between two
        smaller = dataclasses.replace(XERO_PROFILE, write_batch_size=10)
        monkeypatch.setattr(XeroAccounting, "profile", property(lambda _self: smaller))
        app_side.profile = smaller
    batch = app_side.profile.write_batch_size
    integration_id = configure(emulated)
    [job] = drain_queue()

    def remaining_time() -> timedelta:
        # The Lambda runs out of time as soon as the first batch of invoices is in.
        return timedelta(0) if app_side.creates() >= 1 else timedelta(minutes=10)

    fields = {k: v for k, v in job.items() if not k.startswith("_")}
    outcome = emulated.container.sync_worker.run(SyncJob.model_validate(fields), remaining_time)
    assert outcome.value == "deferred"
    assert len(ours(app_side)) == batch

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert app_side.creates() == writes_for(app_side, SENT)  # none twice
    assert run["counts"]["invoices"]["created"] == SENT
    assert_mirrored(emulated, app_side)


def test_an_answer_missing_a_record_reports_it_and_never_passes_it(emulated):
    app_side = FakeBooksSide(emulated)
    integration_id = configure(emulated)
    app_side.app.shorten_next_answer("create_invoices")
    [job] = drain_queue()
    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "PARTIAL"
    # An answer one short cannot be lined up: the whole batch's outcome is unknown.
    batch = app_side.profile.write_batch_size
    errors = [e for e in run["errors"] if e["domain"] == "invoices"]
    assert len(errors) == batch
    assert all("did not say what happened" in e["message"] for e in errors)
    assert run["counts"]["invoices"] == {
        "created": SENT - batch,
        "updated": 0,
        "unchanged": 0,
        "failed": batch,
    }

    # The next run looks the unanswered ones up (the app made them) and links them.
    again = sync(emulated, integration_id)

    assert again["status"] == "SUCCEEDED", again["errors"]
    assert again["counts"]["invoices"]["created"] == app_side.profile.write_batch_size
    assert app_side.creates() == writes_for(app_side, SENT)
    assert_mirrored(emulated, app_side)


def test_an_edit_in_loc8_updates_the_same_app_invoice_keeping_its_line_ids(emulated, app_side):
    integration_id, _ = activate(emulated)
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    before = app_invoice(app_side, invoice["number"])
    lines = [as_written(app_side, line) for line in invoice["lines"]]
    lines[0]["quantity"] = str(Decimal(lines[0]["quantity"]) + 1)
    lines.append(
        {
            "line_item_id": None,
            "description": "Parking at the site",
            "quantity": "1",
            "unit_price": "18.50",
            "tax_type_code": "GST",
        }
    )
    edit_loc8_invoice(emulated, invoice, lines)

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["invoices"]["updated"] == 1
    after = app_invoice(app_side, invoice["number"])
    assert after.id == before.id
    kept = [line.id for line in before.lines]
    assert [line.id for line in after.lines][: len(kept)] == kept
    assert after.lines[-1].description == "Parking at the site"
    assert_mirrored(emulated, app_side)


def test_an_edit_the_app_refuses_is_reported_and_goes_through_once_fixed(emulated, app_side):
    accounts = callout_account(emulated)
    integration_id, _ = activate(emulated, accounts=accounts)
    invoice = an_issued_invoice_with(emulated, "CALLOUT")
    lines = [as_written(app_side, line) for line in invoice["lines"]]
    lines[-1]["quantity"] = str(Decimal(lines[-1]["quantity"]) + 2)
    edit_loc8_invoice(emulated, invoice, lines)
    app_side.set_account_active("260", False)

    refused = sync(emulated, integration_id)

    assert refused["status"] == "PARTIAL"
    [error] = [e for e in refused["errors"] if e["domain"] == "invoices"]
    assert error["record"] == invoice["number"]
    assert app_side.archived_account_words in error["message"]  # the app's own words
    assert refused["counts"]["invoices"]["failed"] == 1
    # Still refused on the next run: reported again, nothing else disturbed.
    assert sync(emulated, integration_id)["status"] == "PARTIAL"

    app_side.set_account_active("260", True)
    fixed = sync(emulated, integration_id)

    assert fixed["status"] == "SUCCEEDED", fixed["errors"]
    assert fixed["counts"]["invoices"]["updated"] == 1
    assert_mirrored(emulated, app_side, accounts)
    assert sync(emulated, integration_id)["counts"]["invoices"]["updated"] == 0


def test_an_edit_to_an_invoice_paid_in_the_app_is_reported_with_its_message(emulated, app_side):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    sent = app_invoice(app_side, invoice["number"])
    payment_id = app_side.pay(sent.id or "", Decimal("10.00"))
    lines = [as_written(app_side, line) for line in invoice["lines"]]
    lines[0]["description"] = "Labour - standard rate (2 technicians)"
    edit_loc8_invoice(emulated, invoice, lines)

    refused = sync(emulated, integration_id)

    [error] = [e for e in refused["errors"] if e["domain"] == "invoices"]
    assert app_side.paid_edit_words in error["message"]
    assert app_invoice(app_side, invoice["number"]).lines[0].description != (
        "Labour - standard rate (2 technicians)"
    )

    app_side.delete_payment(payment_id)
    fixed = sync(emulated, integration_id)

    assert fixed["counts"]["invoices"]["updated"] == 1, fixed["errors"]
    assert app_invoice(app_side, invoice["number"]).lines[0].description == (
        "Labour - standard rate (2 technicians)"
    )


@pytest.mark.parametrize("configured", ["DRAFT", "AUTHORISED"])
def test_an_invoice_voided_in_loc8_leaves_the_app_by_its_rule(emulated, app_side, configured):
    integration_id, _ = activate(emulated, status=configured)
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    approved = sent_status(app_side, configured) is AppInvoiceStatus.APPROVED
    void_in_loc8(emulated, invoice)

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    [removed] = [i for i in app_side.invoices(deleted=True) if i.number == invoice["number"]]
    # Xero: a draft is deleted, an approved invoice voided. Fake Books: both deleted.
    expected = {"DELETE": AppInvoiceStatus.DELETED, "VOID": AppInvoiceStatus.VOIDED}
    assert removed.status is expected[app_side.profile.removal_for(approved).value]
    updates = app_side.updates()
    assert sync(emulated, integration_id)["status"] == "SUCCEEDED"
    assert app_side.updates() == updates


def test_without_customer_sync_an_unlinked_customer_is_reported(emulated, app_side):
    _integration_id, run = activate(emulated, sync_domains={"tax_rates": True, "invoices": True})
    assert run["status"] == "PARTIAL"
    assert run["counts"]["invoices"]["failed"] == SENT
    assert all("turn on customer sync" in e["message"] for e in run["errors"])
    assert all(app_side.profile.name in e["message"] for e in run["errors"])
    assert not ours(app_side)


def test_a_number_taken_by_an_unrelated_app_invoice_is_reported_not_linked(emulated, app_side):
    invoice = sent_loc8_invoices(emulated)[0]
    app_side.add_invoice_numbered(invoice["number"])

    _integration_id, run = activate(emulated)

    [error] = [e for e in run["errors"] if e["record"] == invoice["number"]]
    assert f"already used by another {app_side.profile.name} invoice" in error["message"]
    assert run["counts"]["invoices"]["created"] == SENT - 1
    numbers = Counter(i.number for i in app_side.invoices())
    assert numbers[invoice["number"]] == 1
    assert not [r for r in loc8_invoice(emulated, invoice["id"])["external_refs"]]
