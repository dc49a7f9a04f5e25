"""Loc8 invoices → Xero sales invoices against both emulators: exactly once, whatever fails."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.sync_run import SyncJob
from localdev.loc8.schemas import InvoiceIn, validated
from localdev.xero import DEMO_TENANT_ID
from localdev.xero.accounting import accounts as xero_accounts
from localdev.xero.accounting.records import WriteContext
from tests.conftest import bearer
from tests.emulated import TENANT, Emulated
from tests.jobs.conftest import drain_queue, run_worker
from tests.sync.running import run_to_completion, sync

INVOICES = {"tax_rates": True, "customers": True, "invoices": True}
PUT_INVOICES = "PUT /api.xro/2.0/Invoices"
POST_INVOICES = "POST /api.xro/2.0/Invoices"
LOC8_INVOICES = "GET /v1/tenants/{tenant_id}/invoices"
# Xero's tax types for the demo's Loc8 codes (translated by name after the tax-rates sync).
TAX_TYPES = {"GST": "OUTPUT", "GST_FREE": "EXEMPTOUTPUT", "OUTPUT": "OUTPUT"}
WEB_URL = "http://127.0.0.1:8100"


# --- reading both sides -----------------------------------------------------------------


def loc8_invoices(emulated: Emulated) -> list[dict]:
    return emulated.loc8.snapshot(TENANT)["invoices"]


def loc8_invoice(emulated: Emulated, invoice_id: str) -> dict:
    return next(i for i in loc8_invoices(emulated) if i["id"] == invoice_id)


def sent_loc8_invoices(emulated: Emulated) -> list[dict]:
    return [i for i in loc8_invoices(emulated) if i["status"] in ("issued", "paid")]


def xero_sales_invoices(emulated: Emulated) -> list[dict]:
    state = emulated.xero.accounting_state(DEMO_TENANT_ID)
    return [i for i in state["Invoices"] if i["Type"] == "ACCREC" and i["Status"] != "DELETED"]


def xero_invoice(emulated: Emulated, number: str) -> dict:
    [found] = [i for i in xero_sales_invoices(emulated) if i["InvoiceNumber"] == number]
    return found


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def line_items_by_code(emulated: Emulated) -> dict[str, str]:
    return {i["code"]: i["id"] for i in emulated.loc8.snapshot(TENANT)["line_items"]}


def assert_mirrored(
    emulated: Emulated, accounts: dict[str, str] | None = None, *, item_codes: bool = False
) -> None:
    """Exactly one Xero invoice per issued/paid Loc8 invoice (none for drafts), every
    field as Loc8 has it; with `item_codes`, catalogue lines name their Xero item."""
    accounts = accounts or {}
    codes = {item_id: code for code, item_id in line_items_by_code(emulated).items()}
    customers = {c["id"]: c["name"] for c in emulated.loc8.snapshot(TENANT)["customers"]}
    xero = xero_sales_invoices(emulated)
    numbers = Counter(i["InvoiceNumber"] for i in xero)
    for invoice in loc8_invoices(emulated):
        if invoice["status"] == "draft":
            assert numbers[invoice["number"]] == 0, invoice["number"]
            continue
        if invoice["status"] == "voided":
            continue
        assert numbers[invoice["number"]] == 1, invoice["number"]
        sent = xero_invoice(emulated, invoice["number"])
        assert sent["Contact"]["Name"] == customers[invoice["customer_id"]]
        assert sent["Reference"] == invoice["reference"]
        assert sent["DateString"].startswith(invoice["issue_date"])
        assert sent["DueDateString"].startswith(invoice["due_date"])
        assert sent["Url"] == f"{WEB_URL}/invoices/{invoice['id']}"
        assert money(sent["SubTotal"]) == money(invoice["subtotal"])
        assert money(sent["TotalTax"]) == money(invoice["total_tax"])
        assert money(sent["Total"]) == money(invoice["total"])
        assert len(sent["LineItems"]) == len(invoice["lines"])
        for line, xero_line in zip(invoice["lines"], sent["LineItems"], strict=True):
            assert xero_line["Description"] == line["description"]
            assert Decimal(str(xero_line["Quantity"])) == Decimal(line["quantity"])
            assert Decimal(str(xero_line["UnitAmount"])) == Decimal(line["unit_price"])
            assert xero_line["TaxType"] == TAX_TYPES[line["tax_type_code"]]
            assert xero_line["AccountCode"] == accounts.get(line["line_item_id"], "200")
            assert money(xero_line["LineAmount"]) == money(line["line_amount"])
            if item_codes:
                assert xero_line.get("ItemCode") == codes.get(line["line_item_id"] or "")
        [ref] = [r for r in invoice["external_refs"] if r["app"] == "xero"]
        assert ref["external_id"] == sent["InvoiceID"]


# --- running the service ----------------------------------------------------------------


def configure(
    emulated: Emulated,
    *,
    sync_domains: dict[str, bool] | None = None,
    status: str = "DRAFT",
    accounts: dict[str, str] | None = None,
) -> str:
    """Connect and save the config (which queues the activation sync); the integration id."""
    emulated.xero.limits.configure(per_minute=1000)  # these tests count calls, not minutes
    integration_id = emulated.connect()
    saved = emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": sync_domains or INVOICES,
                "invoice_status": status,
                "default_account_code": "200",
                "line_item_accounts": accounts or {},
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    return integration_id


def get_run(emulated: Emulated, integration_id: str, run_id: str) -> dict:
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{run_id}", headers=bearer(TENANT)
    ).json_body


def activate(emulated: Emulated, **config) -> tuple[str, dict]:
    integration_id = configure(emulated, **config)
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    return integration_id, get_run(emulated, integration_id, job["run_id"])


def callout_account(emulated: Emulated) -> dict[str, str]:
    """CALLOUT lines coded to Other Revenue (260); everything else to the default (200)."""
    return {line_items_by_code(emulated)["CALLOUT"]: "260"}


def service_app(emulated: Emulated, integration_id: str):
    """The service's own Xero client for the integration (acts as someone using Xero)."""
    container = emulated.container
    return container.providers.app_for(container.repo.get(TENANT, integration_id))


def set_account_status(emulated: Emulated, code: str, status: str) -> None:
    books = emulated.xero.books(DEMO_TENANT_ID)
    with books.lock:
        account = books.account_by_code(code)
        assert account is not None
        xero_accounts.save(
            books,
            {"Status": status},
            WriteContext(
                now=emulated.xero.clock.now(),
                client_id="someone-in-xero",
                mode="update",
                target_id=account["AccountID"],
            ),
        )


def edit_loc8_invoice(emulated: Emulated, invoice: dict, lines: list[dict]) -> None:
    """A Loc8 user edits the invoice's lines (tax codes as Loc8 has them after the sync)."""
    emulated.loc8.tenant(TENANT).edit_invoice(
        invoice["id"],
        validated(
            InvoiceIn,
            {
                "customer_id": invoice["customer_id"],
                "reference": invoice["reference"],
                "issue_date": invoice["issue_date"],
                "due_date": invoice["due_date"],
                "status": "issued",
                "lines": lines,
            },
        ),
    )


def as_written(line: dict) -> dict:
    return {
        "line_item_id": line["line_item_id"],
        "description": line["description"],
        "quantity": line["quantity"],
        "unit_price": line["unit_price"],
        "tax_type_code": TAX_TYPES[line["tax_type_code"]],
    }


def an_issued_invoice_with(emulated: Emulated, code: str) -> dict:
    item_id = line_items_by_code(emulated)[code]
    return next(
        i
        for i in loc8_invoices(emulated)
        if i["status"] == "issued" and any(line["line_item_id"] == item_id for line in i["lines"])
    )


# --- tests ------------------------------------------------------------------------------


def test_activation_sends_every_issued_and_paid_invoice_once_and_no_draft(emulated):
    accounts = callout_account(emulated)
    _integration_id, run = activate(emulated, accounts=accounts)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert_mirrored(emulated, accounts)
    sent = sent_loc8_invoices(emulated)
    assert len(sent) == 32  # 40 demo invoices, 8 of them drafts
    assert run["counts"]["invoices"] == {
        "created": 32,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    assert all(i["Status"] == "DRAFT" for i in xero_sales_invoices(emulated) if i.get("Url"))
    # One batch of 32, however the Loc8 pages fall.
    assert emulated.xero.calls[PUT_INVOICES] == 1


def test_approved_status_from_config_and_gst_free_lines(emulated):
    _integration_id, run = activate(emulated, status="AUTHORISED")
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert_mirrored(emulated)
    ours = [i for i in xero_sales_invoices(emulated) if i.get("Url")]
    assert {i["Status"] for i in ours} == {"AUTHORISED"}
    tax_types = {line["TaxType"] for i in ours for line in i["LineItems"]}
    assert tax_types == {"OUTPUT", "EXEMPTOUTPUT"}  # the backflow fee is GST free


def test_catalogue_lines_name_the_xero_item_when_line_items_sync_too(emulated):
    domains = {**INVOICES, "line_items": True}
    _integration_id, run = activate(emulated, sync_domains=domains)
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert_mirrored(emulated, item_codes=True)
    assert emulated.xero.calls["GET /api.xro/2.0/Items"] >= 1


def test_a_sync_where_nothing_changed_reads_one_page_per_side(emulated):
    integration_id, _ = activate(emulated)
    sync(emulated, integration_id)  # sees Loc8's echo of the external references
    xero_before, loc8_before = emulated.xero.calls, emulated.loc8.calls

    run = sync(emulated, integration_id)

    xero_calls = emulated.xero.calls - xero_before
    loc8_calls = emulated.loc8.calls - loc8_before
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_calls[LOC8_INVOICES] == 1
    assert loc8_calls["GET /v1/tenants/{tenant_id}/invoices/{invoice_id}"] == 0
    assert xero_calls["GET /api.xro/2.0/Payments"] == 1
    assert xero_calls["GET /api.xro/2.0/Invoices"] == 1
    assert xero_calls["GET /api.xro/2.0/Items"] == 0
    assert not any(k.startswith(("PUT", "POST")) for k in xero_calls)
    assert not any(k.startswith(("PUT", "POST")) for k in loc8_calls)
    zero = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    assert run["counts"]["invoices"] == run["counts"]["payments"] == zero


def test_the_echo_of_the_first_push_is_recognised(emulated):
    integration_id, _ = activate(emulated)
    run = sync(emulated, integration_id)
    assert run["counts"]["invoices"] == {"created": 0, "updated": 0, "unchanged": 32, "failed": 0}
    assert not emulated.xero.calls[POST_INVOICES]
    assert emulated.xero.calls[PUT_INVOICES] == 1


def test_a_lost_answer_is_replayed_by_the_idempotency_key(emulated):
    integration_id = configure(emulated)
    emulated.xero.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")
    [job] = drain_queue()

    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert emulated.xero.calls[PUT_INVOICES] == 2  # the second was answered from memory
    assert run["counts"]["invoices"]["created"] == 32
    assert_mirrored(emulated)


def test_a_lost_answer_after_the_key_expired_links_instead_of_duplicating(emulated):
    integration_id = configure(emulated)
    emulated.xero.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    assert len(xero_sales_invoices(emulated)) == 2 + 32  # Xero kept them; we never heard
    emulated.xero.clock.advance(7 * 60)  # Xero forgets the Idempotency-Key after 6 minutes

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert emulated.xero.calls[PUT_INVOICES] == 2  # refused as taken; found and linked
    assert emulated.xero.calls[POST_INVOICES] == 0  # what Xero holds is what was meant
    assert run["counts"]["invoices"]["created"] == 32
    assert_mirrored(emulated)
    again = sync(emulated, integration_id)
    assert again["counts"]["invoices"]["created"] == 0
    assert_mirrored(emulated)


def test_a_server_error_then_success(emulated):
    integration_id = configure(emulated)
    emulated.xero.faults.add("PUT", "/api.xro/2.0/Invoices", status=500)
    [job] = drain_queue()

    run_to_completion(emulated, [job])

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert emulated.xero.calls[PUT_INVOICES] == 2
    assert_mirrored(emulated)


def test_a_rate_limit_defers_the_run_and_the_continuation_finishes_it(emulated, queue_delays):
    integration_id = configure(emulated)
    emulated.xero.faults.add(
        "PUT",
        "/api.xro/2.0/Invoices",
        status=429,
        headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
    )
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert get_run(emulated, integration_id, job["run_id"])["status"] == "DEFERRED"
    assert queue_delays.delays[-1] == (job["run_id"], 37)

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["invoices"]["created"] == 32
    assert_mirrored(emulated)


def test_a_job_stopped_mid_page_resumes_without_duplicates(emulated, monkeypatch):
    smaller = dataclasses.replace(XERO_PROFILE, write_batch_size=10)
    monkeypatch.setattr(XeroAccounting, "profile", property(lambda _self: smaller))
    integration_id = configure(emulated)
    [job] = drain_queue()

    def remaining_time() -> timedelta:
        # The Lambda runs out of time as soon as the first batch of invoices is in.
        first_batch_sent = emulated.xero.calls[PUT_INVOICES] >= 1
        return timedelta(0) if first_batch_sent else timedelta(minutes=10)

    fields = {k: v for k, v in job.items() if not k.startswith("_")}
    outcome = emulated.container.sync_worker.run(SyncJob.model_validate(fields), remaining_time)
    assert outcome.value == "deferred"
    assert len([i for i in xero_sales_invoices(emulated) if i.get("Url")]) == 10

    run_to_completion(emulated, drain_queue())

    run = get_run(emulated, integration_id, job["run_id"])
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert emulated.xero.calls[PUT_INVOICES] == 4  # 10 + 10 + 10 + 2, none twice
    assert run["counts"]["invoices"]["created"] == 32
    assert_mirrored(emulated)


def test_an_edit_in_loc8_updates_the_same_xero_invoice_keeping_its_line_ids(emulated):
    integration_id, _ = activate(emulated)
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    before = xero_invoice(emulated, invoice["number"])
    lines = [as_written(line) for line in invoice["lines"]]
    lines[0]["quantity"] = str(Decimal(lines[0]["quantity"]) + 1)
    lines.append(
        {
            "line_item_id": None,
            "description": "Parking at the site",
            "quantity": "1",
            "unit_price": "18.50",
            "tax_type_code": "OUTPUT",
        }
    )
    edit_loc8_invoice(emulated, invoice, lines)

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["invoices"]["updated"] == 1
    after = xero_invoice(emulated, invoice["number"])
    assert after["InvoiceID"] == before["InvoiceID"]
    kept = [line["LineItemID"] for line in before["LineItems"]]
    assert [line["LineItemID"] for line in after["LineItems"]][: len(kept)] == kept
    assert after["LineItems"][-1]["Description"] == "Parking at the site"
    assert_mirrored(emulated)


def test_an_edit_xero_refuses_is_reported_and_goes_through_once_fixed(emulated):
    accounts = callout_account(emulated)
    integration_id, _ = activate(emulated, accounts=accounts)
    invoice = an_issued_invoice_with(emulated, "CALLOUT")
    lines = [as_written(line) for line in invoice["lines"]]
    lines[-1]["quantity"] = str(Decimal(lines[-1]["quantity"]) + 2)
    edit_loc8_invoice(emulated, invoice, lines)
    set_account_status(emulated, "260", "ARCHIVED")

    refused = sync(emulated, integration_id)

    assert refused["status"] == "PARTIAL"
    [error] = [e for e in refused["errors"] if e["domain"] == "invoices"]
    assert error["record"] == invoice["number"]
    assert "Account code '260' has been archived" in error["message"]
    assert refused["counts"]["invoices"]["failed"] == 1
    # Still refused on the next run: reported again, nothing else disturbed.
    assert sync(emulated, integration_id)["status"] == "PARTIAL"

    set_account_status(emulated, "260", "ACTIVE")
    fixed = sync(emulated, integration_id)

    assert fixed["status"] == "SUCCEEDED", fixed["errors"]
    assert fixed["counts"]["invoices"]["updated"] == 1
    assert_mirrored(emulated, accounts)
    assert sync(emulated, integration_id)["counts"]["invoices"]["updated"] == 0


def test_an_edit_to_an_invoice_paid_in_xero_is_reported_with_xeros_message(emulated):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    sent = xero_invoice(emulated, invoice["number"])
    [payment_id] = emulated.xero.seed(
        DEMO_TENANT_ID,
        Payments=[
            {
                "Invoice": {"InvoiceID": sent["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-11-22",
                "Amount": "10.00",
            }
        ],
    )["Payments"]
    lines = [as_written(line) for line in invoice["lines"]]
    lines[0]["description"] = "Labour - standard rate (2 technicians)"
    edit_loc8_invoice(emulated, invoice, lines)

    refused = sync(emulated, integration_id)

    [error] = [e for e in refused["errors"] if e["domain"] == "invoices"]
    assert "cannot be edited as it has a payment" in error["message"]
    assert xero_invoice(emulated, invoice["number"])["LineItems"][0]["Description"] != (
        "Labour - standard rate (2 technicians)"
    )

    app = service_app(emulated, integration_id)
    app._call(  # someone removes the payment in Xero
        "POST",
        f"Payments/{payment_id}",
        operation="delete_payment",
        json_body={"Status": "DELETED"},
    )
    fixed = sync(emulated, integration_id)

    assert fixed["counts"]["invoices"]["updated"] == 1, fixed["errors"]
    assert xero_invoice(emulated, invoice["number"])["LineItems"][0]["Description"] == (
        "Labour - standard rate (2 technicians)"
    )


def test_an_invoice_voided_in_loc8_is_deleted_from_xero_as_a_draft(emulated):
    integration_id, _ = activate(emulated)
    invoice = sent_loc8_invoices(emulated)[0]
    tenant = emulated.loc8.tenant(TENANT)
    tenant.set_status(invoice["id"], "voided", tenant.invoice(invoice["id"]).version)

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    state = emulated.xero.accounting_state(DEMO_TENANT_ID)["Invoices"]
    [deleted] = [i for i in state if i.get("InvoiceNumber") == invoice["number"]]
    assert deleted["Status"] == "DELETED"
    posts = emulated.xero.calls[POST_INVOICES]
    assert sync(emulated, integration_id)["status"] == "SUCCEEDED"
    assert emulated.xero.calls[POST_INVOICES] == posts


def test_an_approved_invoice_voided_in_loc8_is_voided_in_xero(emulated):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = an_issued_invoice_with(emulated, "LAB-STD")
    tenant = emulated.loc8.tenant(TENANT)
    tenant.set_status(invoice["id"], "voided", tenant.invoice(invoice["id"]).version)

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    state = emulated.xero.accounting_state(DEMO_TENANT_ID)["Invoices"]
    [voided] = [i for i in state if i.get("InvoiceNumber") == invoice["number"]]
    assert voided["Status"] == "VOIDED"


def test_without_customer_sync_an_unlinked_customer_is_reported(emulated):
    _integration_id, run = activate(emulated, sync_domains={"tax_rates": True, "invoices": True})
    assert run["status"] == "PARTIAL"
    assert run["counts"]["invoices"]["failed"] == 32
    assert all("turn on customer sync" in e["message"] for e in run["errors"])
    assert not [i for i in xero_sales_invoices(emulated) if i.get("Url")]


@pytest.mark.parametrize("code", ["Invoice # must be unique."])
def test_a_number_taken_by_an_unrelated_xero_invoice_is_reported_not_linked(emulated, code):
    invoice = sent_loc8_invoices(emulated)[0]
    emulated.xero.seed(
        DEMO_TENANT_ID,
        Invoices=[
            {
                "Type": "ACCREC",
                "Contact": {"Name": "Marine Systems"},
                "InvoiceNumber": invoice["number"],
                "Date": "2026-11-01",
                "LineItems": [{"Description": "Xero's own", "Quantity": 1, "UnitAmount": 10}],
            }
        ],
    )
    _integration_id, run = activate(emulated)
    [error] = [e for e in run["errors"] if e["record"] == invoice["number"]]
    assert "already used by another Xero invoice" in error["message"]
    assert run["counts"]["invoices"]["created"] == 31
    numbers = Counter(i["InvoiceNumber"] for i in xero_sales_invoices(emulated))
    assert numbers[invoice["number"]] == 1
    assert not [r for r in loc8_invoice(emulated, invoice["id"])["external_refs"]]
