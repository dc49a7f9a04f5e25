"""Loc8 invoices → the accounting app against the Loc8 emulator, through Xero's emulator
and through Fake Books (other limits: 3 invoices a write, no drafts, removal by deletion,
no idempotency keys): exactly once, whatever fails."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

import pytest

from chalicelib.adapters.links_repo import DynamoLinks
from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.mappers import invoice_from_xero
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.accounting import AppInvoice, AppInvoiceStatus, RecordStatus
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from chalicelib.domain.links import LinkScope
from chalicelib.domain.sync_run import SyncJob
from localdev.loc8.schemas import InvoiceIn, LineItemIn, validated
from localdev.xero import DEMO_TENANT_ID
from localdev.xero.accounting import accounts as xero_accounts
from localdev.xero.accounting.records import WriteContext
from tests.conftest import bearer
from tests.emulated import TENANT, Emulated
from tests.jobs.conftest import drain_queue, run_worker
from tests.support.fake_app import FakeApp, install_fake_books
from tests.sync.running import run_to_completion, sync

INVOICES = {"tax_rates": True, "customers": True, "invoices": True}
PUT_INVOICES = "PUT /api.xro/2.0/Invoices"
POST_INVOICES = "POST /api.xro/2.0/Invoices"
LOC8_INVOICES = "GET /v1/tenants/{tenant_id}/invoices"
WEB_URL = "http://127.0.0.1:8100"
SENT = 32  # 40 demo invoices, 8 of them drafts


# --- the app's side, through either app -------------------------------------------------


class AppSide(Protocol):
    """What a test reads or does in the accounting app, in the domain's terms."""

    profile: AppProfile
    # Loc8's demo tax codes (and the app's own, as Loc8 has them after the tax-rates
    # sync) → the app's code on an invoice line.
    tax_codes: dict[str, str]
    # Words of the app's refusals: an archived account; an edit to a paid invoice.
    archived_account_words: str
    paid_edit_words: str

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]: ...

    def item_codes(self) -> dict[str, str]:
        """The app's item id → its code."""

    def creates(self) -> int: ...

    def updates(self) -> int: ...

    def reads(self) -> Counter[str]:
        """Calls so far: "invoices", "payments", "items" pages, and "writes"."""

    def lose_next_create_answer(self) -> None: ...

    def forget_idempotency_keys(self) -> None: ...

    def fail_next_create(self, error: str) -> None:
        """ "unavailable" or "rate_limited" (37 seconds)."""

    def set_account_active(self, code: str, active: bool) -> None: ...

    def pay(self, invoice_id: str, amount: Decimal) -> str: ...

    def delete_payment(self, payment_id: str) -> None: ...

    def add_invoice_numbered(self, number: str) -> None:
        """Someone makes an invoice in the app with this number."""


class XeroSide:
    profile = XERO_PROFILE
    tax_codes = {"GST": "OUTPUT", "GST_FREE": "EXEMPTOUTPUT", "OUTPUT": "OUTPUT"}
    archived_account_words = "Account code '260' has been archived"
    paid_edit_words = "cannot be edited as it has a payment"

    def __init__(self, emulated: Emulated) -> None:
        self.emulated = emulated
        self.xero = emulated.xero
        self.xero.limits.configure(per_minute=1000)  # these tests count calls, not minutes

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]:
        state = self.xero.accounting_state(DEMO_TENANT_ID)["Invoices"]
        return [
            invoice_from_xero(i)
            for i in state
            if i["Type"] == "ACCREC" and (deleted or i["Status"] != "DELETED")
        ]

    def item_codes(self) -> dict[str, str]:
        items = self.xero.accounting_state(DEMO_TENANT_ID)["Items"]
        return {item["ItemID"]: item["Code"] for item in items}

    def creates(self) -> int:
        return self.xero.calls[PUT_INVOICES]

    def updates(self) -> int:
        return self.xero.calls[POST_INVOICES]

    def reads(self) -> Counter[str]:
        calls = self.xero.calls
        return Counter(
            invoices=calls["GET /api.xro/2.0/Invoices"],
            payments=calls["GET /api.xro/2.0/Payments"],
            items=calls["GET /api.xro/2.0/Items"],
            writes=sum(n for k, n in calls.items() if k.startswith(("PUT", "POST"))),
        )

    def lose_next_create_answer(self) -> None:
        self.xero.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")

    def forget_idempotency_keys(self) -> None:
        self.xero.clock.advance(7 * 60)  # Xero forgets a key after 6 minutes

    def fail_next_create(self, error: str) -> None:
        if error == "unavailable":
            self.xero.faults.add("PUT", "/api.xro/2.0/Invoices", status=500)
        else:
            self.xero.faults.add(
                "PUT",
                "/api.xro/2.0/Invoices",
                status=429,
                headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
            )

    def set_account_active(self, code: str, active: bool) -> None:
        books = self.xero.books(DEMO_TENANT_ID)
        with books.lock:
            account = books.account_by_code(code)
            assert account is not None
            xero_accounts.save(
                books,
                {"Status": "ACTIVE" if active else "ARCHIVED"},
                WriteContext(
                    now=self.xero.clock.now(),
                    client_id="someone-in-xero",
                    mode="update",
                    target_id=account["AccountID"],
                ),
            )

    def pay(self, invoice_id: str, amount: Decimal) -> str:
        payment = {
            "Invoice": {"InvoiceID": invoice_id},
            "Account": {"Code": "090"},
            "Date": "2026-11-22",
            "Amount": str(amount),
        }
        [payment_id] = self.xero.seed(DEMO_TENANT_ID, Payments=[payment])["Payments"]
        return payment_id

    def delete_payment(self, payment_id: str) -> None:
        container = self.emulated.container
        [integration] = container.repo.list(TENANT)
        app = container.providers.app_for(integration)
        app._call(  # someone removes the payment in Xero
            "POST",
            f"Payments/{payment_id}",
            operation="delete_payment",
            json_body={"Status": "DELETED"},
        )

    def add_invoice_numbered(self, number: str) -> None:
        invoice = {
            "Type": "ACCREC",
            "Contact": {"Name": "Marine Systems"},
            "InvoiceNumber": number,
            "Date": "2026-11-01",
            "LineItems": [{"Description": "Xero's own", "Quantity": 1, "UnitAmount": 10}],
        }
        self.xero.seed(DEMO_TENANT_ID, Invoices=[invoice])


class FakeBooksSide:
    tax_codes = {"GST": "S10", "GST_FREE": "S0", "S10": "S10", "S0": "S0"}
    archived_account_words = "Account 260 is archived"
    paid_edit_words = "paid"

    def __init__(self, emulated: Emulated) -> None:
        self.app: FakeApp = install_fake_books(emulated)
        # The emulators' clock stands still, so all 32 invoices change within one
        # second and a walk of them cannot start past a page: read them in one.
        self.app.page_size = 50
        self.profile = self.app.profile

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]:
        return [
            i for i in self.app.invoices.values() if deleted or i.status != AppInvoiceStatus.DELETED
        ]

    def item_codes(self) -> dict[str, str]:
        return {item_id: item.code for item_id, item in self.app.items_by_id.items()}

    def creates(self) -> int:
        return self.app.calls["create_invoices"]

    def updates(self) -> int:
        return self.app.calls["update_invoices"]

    def reads(self) -> Counter[str]:
        calls = self.app.calls
        writes = ("create_", "update_", "save_")
        return Counter(
            invoices=calls["invoice_pages"] + calls["get_invoices"] + calls["find_invoices"],
            payments=calls["payment_pages"],
            items=calls["items"],
            writes=sum(n for k, n in calls.items() if k.startswith(writes)),
        )

    def lose_next_create_answer(self) -> None:
        self.app.lose_next_answer("create_invoices")

    def forget_idempotency_keys(self) -> None:
        pass  # Fake Books has none

    def fail_next_create(self, error: str) -> None:
        self.app.fail_next(
            "create_invoices",
            ProviderUnavailable("Fake Books is down.")
            if error == "unavailable"
            else RateLimited("Slow down.", retry_after_seconds=37, problem="minute"),
        )

    def set_account_active(self, code: str, active: bool) -> None:
        self.app.set_account_status(code, RecordStatus.ACTIVE if active else RecordStatus.ARCHIVED)

    def pay(self, invoice_id: str, amount: Decimal) -> str:
        return self.app.add_payment(invoice_id, amount, date(2026, 11, 22)).id

    def delete_payment(self, payment_id: str) -> None:
        self.app.delete_payment(payment_id)

    def add_invoice_numbered(self, number: str) -> None:
        contact = self.app.add_contact("Someone else")
        self.app.add_invoice(
            AppInvoice(
                number=number,
                contact_id=contact.id,
                status=AppInvoiceStatus.APPROVED,
                date=date(2026, 11, 1),
            )
        )


@pytest.fixture(params=["xero", "fake_books"])
def app_side(request, emulated) -> AppSide:
    return XeroSide(emulated) if request.param == "xero" else FakeBooksSide(emulated)


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


def service_app(emulated: Emulated, integration_id: str) -> Any:
    """The service's own client for the integration's app (acts as someone using it)."""
    container = emulated.container
    return container.providers.app_for(container.repo.get(TENANT, integration_id))


def ours(side: AppSide) -> list[AppInvoice]:
    """The app's invoices the service sent (they link back to Loc8)."""
    return [i for i in side.invoices() if i.url]


def app_invoice(side: AppSide, number: str) -> AppInvoice:
    [found] = [i for i in side.invoices() if i.number == number]
    return found


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def line_items_by_code(emulated: Emulated) -> dict[str, str]:
    return {i["code"]: i["id"] for i in emulated.loc8.snapshot(TENANT)["line_items"]}


def links_of(emulated: Emulated, domain: str, loc8_ids: list[str]) -> dict[str, str]:
    """Loc8 id → the app record it is linked to, for the only integration."""
    container = emulated.container
    [integration] = container.repo.list(TENANT)
    assert integration.organisation is not None
    scope = LinkScope(TENANT, integration.app, integration.organisation.id)
    links = DynamoLinks(container.table).by_loc8(scope, domain, loc8_ids)
    return {loc8_id: link.app_id for loc8_id, link in links.items()}


def customer_links(emulated: Emulated) -> dict[str, str]:
    customers = [c["id"] for c in emulated.loc8.snapshot(TENANT)["customers"]]
    return links_of(emulated, "customers", customers)


def item_codes_on_lines(emulated: Emulated, side: AppSide) -> dict[str, str]:
    """Loc8 line item id → the code of the app item it is linked to."""
    linked = links_of(emulated, "line_items", list(line_items_by_code(emulated).values()))
    codes = side.item_codes()
    return {loc8_id: codes[app_id] for loc8_id, app_id in linked.items()}


def assert_mirrored(
    emulated: Emulated,
    side: AppSide,
    accounts: dict[str, str] | None = None,
    *,
    item_codes: dict[str, str] | None = None,
) -> None:
    """Exactly one app invoice per issued/paid Loc8 invoice (none for drafts), every
    field as Loc8 has it; with `item_codes` (Loc8 line item id → app item code),
    catalogue lines name the app's item."""
    accounts = accounts or {}
    contacts = customer_links(emulated)
    numbers = Counter(i.number for i in side.invoices())
    for invoice in loc8_invoices(emulated):
        if invoice["status"] == "draft":
            assert numbers[invoice["number"]] == 0, invoice["number"]
            continue
        if invoice["status"] == "voided":
            continue
        assert numbers[invoice["number"]] == 1, invoice["number"]
        sent = app_invoice(side, invoice["number"])
        assert sent.contact_id == contacts[invoice["customer_id"]]
        assert sent.reference == invoice["reference"]
        assert sent.date.isoformat() == invoice["issue_date"]
        assert sent.due_date is not None
        assert sent.due_date.isoformat() == invoice["due_date"]
        assert sent.url == f"{WEB_URL}/invoices/{invoice['id']}"
        assert money(sent.total) == money(invoice["total"])
        assert len(sent.lines) == len(invoice["lines"])
        for line, app_line in zip(invoice["lines"], sent.lines, strict=True):
            assert app_line.description == line["description"]
            assert app_line.quantity == Decimal(line["quantity"])
            assert app_line.unit_amount == Decimal(line["unit_price"])
            assert app_line.tax_type == side.tax_codes[line["tax_type_code"]]
            assert app_line.account_code == accounts.get(line["line_item_id"], "200")
            if item_codes is not None:
                assert app_line.item_code == item_codes.get(line["line_item_id"] or "")
        [ref] = [r for r in invoice["external_refs"] if r["app"] == "xero"]
        assert ref["external_id"] == sent.id
        assert ref["url"] == side.profile.invoice_url(sent.id or "")


# --- running the service ----------------------------------------------------------------


def configure(
    emulated: Emulated,
    *,
    sync_domains: dict[str, bool] | None = None,
    status: str = "DRAFT",
    accounts: dict[str, str] | None = None,
) -> str:
    """Connect and save the config (which queues the activation sync); the integration id."""
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


def as_written(side: AppSide, line: dict) -> dict:
    return {
        "line_item_id": line["line_item_id"],
        "description": line["description"],
        "quantity": line["quantity"],
        "unit_price": line["unit_price"],
        "tax_type_code": side.tax_codes[line["tax_type_code"]],
    }


def an_issued_invoice_with(emulated: Emulated, code: str) -> dict:
    item_id = line_items_by_code(emulated)[code]
    return next(
        i
        for i in loc8_invoices(emulated)
        if i["status"] == "issued" and any(line["line_item_id"] == item_id for line in i["lines"])
    )


def void_in_loc8(emulated: Emulated, invoice: dict) -> None:
    tenant = emulated.loc8.tenant(TENANT)
    tenant.set_status(invoice["id"], "voided", tenant.invoice(invoice["id"]).version)


def writes_for(side: AppSide, count: int) -> int:
    return math.ceil(count / side.profile.write_batch_size)


def sent_status(side: AppSide, configured: str) -> AppInvoiceStatus:
    if configured == "DRAFT" and side.profile.has_draft_invoices:
        return AppInvoiceStatus.DRAFT
    return AppInvoiceStatus.APPROVED


# --- tests ------------------------------------------------------------------------------


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
    assert_mirrored(emulated, app_side, item_codes=codes)
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
    assert not any(k.startswith(("PUT", "POST")) for k in loc8_calls)
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
            "tax_type_code": app_side.tax_codes["GST"],
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
