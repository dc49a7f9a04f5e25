"""The QuickBooks Online Accounting adapter against the emulator: reads in the core's
terms (queries for an import, one Change Data Capture call for a periodic sync), batched
writes with per-record answers, SyncToken conflicts, requestid replays and throttling.
Every assertion is on what the adapter answers or what the emulator holds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.accounting import (
    AccountClass,
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    AppItem,
    AppPaymentDraft,
    RecordStatus,
)
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from localdev.quickbooks.accounting.demo import seed_customers, seed_records
from tests.support.quickbooks_provider import Connected, connect_company
from tests.support.quickbooks_provider import qbo_connected as qbo_connected

QUERY = "GET /v3/company/{realm_id}/query"
BATCH = "POST /v3/company/{realm_id}/batch"


def _company(connected: Connected):
    company = connected.emulator.companies.company(connected.realm_id)
    assert company is not None
    return company


def _records(connected: Connected, entity: str) -> list[dict]:
    books = _company(connected).books
    with books.lock:
        return [dict(record) for record in books.table(entity).values()]


def _calls(connected: Connected) -> dict[str, int]:
    return dict(connected.emulator.calls)


def _spent(before: dict[str, int], connected: Connected) -> dict[str, int]:
    after = _calls(connected)
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _account(app, name: str) -> str:
    return next(a.code for a in app.accounts() if a.name == name)


def _tax_code(app, name: str) -> str:
    return next(r.code for r in app.tax_rates() if r.name == name)


# --- settings ---------------------------------------------------------------------------


def test_the_chart_of_accounts_and_gst_codes_read_in_the_cores_terms(qbo_connected):
    app = qbo_connected.app()
    accounts = {a.name: a for a in app.accounts()}
    assert accounts["Sales"].account_class is AccountClass.REVENUE
    assert accounts["Sales"].takes_sales
    assert accounts["Business Cheque Account"].accepts_payments
    assert accounts["Undeposited Funds"].accepts_payments
    assert not accounts["Sales"].accepts_payments
    rates = {r.name: r for r in app.tax_rates()}
    assert rates["GST"].rate == Decimal("10")
    assert rates["GST"].applies_to_revenue
    assert rates["GST free"].rate == Decimal("0")
    assert not rates["GST on purchases only"].applies_to_revenue


def test_settings_are_read_once_a_job_in_one_batch_of_queries(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    before = _calls(connected)
    assert app.tax_rates()
    assert app.accounts()
    assert not app.automated_sales_tax()  # an AU company: GST codes per line
    assert app.tax_rates() == app.tax_rates()
    assert _spent(before, connected) == {BATCH: 1}


def test_a_us_company_offers_taxable_and_non_taxable_for_automated_sales_tax(qbo_connected):
    connected = qbo_connected
    us = connected.emulator.add_company("Bay Plumbing Inc", "US")
    app = connect_company(connected.emulator, connected.server, us.realm_id).app()
    assert app.automated_sales_tax()
    assert [(r.code, r.rate) for r in app.tax_rates()] == [("TAX", 0), ("NON", 0)]


# --- reads ------------------------------------------------------------------------------


def test_an_import_pages_customers_a_thousand_at_a_time_oldest_change_first(qbo_connected):
    connected = qbo_connected
    seed_customers(_company(connected), 2100, connected.emulator.clock.now())
    app = connected.app()
    before = _calls(connected)
    pages = list(app.contact_pages(None))
    assert [len(p.records) for p in pages] == [1000, 1000, 104]  # 4 demo customers too
    assert [p.last for p in pages] == [False, False, True]
    stamps = [c.updated_at for p in pages for c in p.records]
    assert stamps == sorted(stamps)
    assert len({c.id for p in pages for c in p.records}) == 2104
    assert _spent(before, connected) == {QUERY: 3}


def test_a_quiet_periodic_sync_of_every_domain_costs_one_call(qbo_connected):
    connected = qbo_connected
    connected.advance(timedelta(hours=2))
    app = connected.app()
    since = connected.emulator.clock.now() - timedelta(minutes=1)
    before = _calls(connected)
    contacts = list(app.contact_pages(since))
    items = list(app.item_pages(since + timedelta(seconds=3)))
    invoices = list(app.invoice_pages(since + timedelta(seconds=5)))
    payments = list(app.payment_pages(since + timedelta(seconds=6)))
    for pages in (contacts, items, invoices, payments):
        [page] = pages
        assert page.records == []
        assert page.last
        assert page.read_at is not None
    # The job's first call: the change feed's question rode in the settings batch.
    assert _spent(before, connected) == {BATCH: 1}
    assert app.tax_rates()
    assert _spent(before, connected) == {BATCH: 1}


def test_changes_since_come_from_the_change_feed_with_when_it_was_read(qbo_connected):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=2))
    since = clock.now() - timedelta(minutes=1)
    writer = connected.app()
    [made] = writer.create_contacts([AppContactDraft(name="Surry Hills Dental")], "k-1")
    assert made.ok
    connected.advance(timedelta(seconds=5))
    app = connected.app()
    read_before = clock.now()
    [page] = list(app.contact_pages(since))
    assert [c.name for c in page.records] == ["Surry Hills Dental"]
    assert page.read_at == read_before
    # A later read is served from the same answer: it shows the company as it was then.
    connected.advance(timedelta(seconds=30))
    before = _calls(connected)
    [later] = list(app.contact_pages(since + timedelta(seconds=1)))
    assert later.read_at == read_before
    assert [c.name for c in later.records] == ["Surry Hills Dental"]
    assert _spent(before, connected) == {}


def test_a_position_older_than_the_change_feeds_window_pages_with_queries(qbo_connected):
    connected = qbo_connected
    connected.advance(timedelta(days=40))
    app = connected.app()
    before = _calls(connected)
    [page] = list(app.contact_pages(connected.emulator.clock.now() - timedelta(days=31)))
    assert page.records == []
    assert page.read_at is None
    assert _spent(before, connected) == {QUERY: 1}


def test_an_entity_that_fills_the_change_feeds_thousand_is_paged_with_queries(qbo_connected):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=1))
    since = clock.now() - timedelta(seconds=30)
    seed_customers(_company(connected), 1200, clock.now())
    app = connected.app()
    before = _calls(connected)
    pages = list(app.contact_pages(since))
    assert sum(len(p.records) for p in pages) == 1200
    assert _spent(before, connected) == {BATCH: 1, QUERY: 2}  # the feed rode in the batch


def test_an_answer_of_a_thousand_objects_in_all_is_paged_with_queries(qbo_connected):
    # Intuit also words the cap as 1,000 objects per response: 700 customers and 300
    # items may be a cut-short answer, so neither is taken from it.
    connected = qbo_connected
    connected.advance(timedelta(hours=1))
    now = connected.emulator.clock.now()
    company = _company(connected)
    seed_customers(company, 700, now)
    sales = next(a["Id"] for a in _records(connected, "Account") if a["Name"] == "Sales")
    seed_records(
        company,
        "Item",
        [
            {
                "Name": f"Part {n:03d}",
                "Type": "NonInventory",
                "UnitPrice": 5,
                "IncomeAccountRef": {"value": sales},
            }
            for n in range(300)
        ],
        now,
    )
    app = connected.app()
    before = _calls(connected)
    [page] = list(app.contact_pages(now - timedelta(seconds=30)))
    assert len(page.records) == 700
    assert _spent(before, connected) == {BATCH: 1, QUERY: 1}  # the feed rode in the batch


def test_a_customer_made_inactive_comes_back_archived(qbo_connected):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=1))
    since = clock.now() - timedelta(seconds=30)
    [jane] = connected.app().find_contacts(names=["Jane Nguyen"], emails=[])
    books = _company(connected).books
    with books.lock:
        record = books.table("Customer")[jane.id]
        record["Active"] = False
        books.touch(record, clock.now())
    [page] = list(connected.app().contact_pages(since))
    assert [(c.id, c.status) for c in page.records] == [(jane.id, RecordStatus.ARCHIVED)]
    # Paged with queries (a resumed pass), inactive customers are asked for too.
    pages = list(connected.app().contact_pages(clock.now() - timedelta(days=45)))
    assert (jane.id, RecordStatus.ARCHIVED) in [(c.id, c.status) for p in pages for c in p.records]


def test_contacts_are_found_by_name_or_email(qbo_connected):
    app = qbo_connected.app()
    found = app.find_contacts(
        names=["Bondi Beach Cafe"], emails=["admin@marrickville-ps.example.edu.au"]
    )
    assert sorted(c.name for c in found) == ["Bondi Beach Cafe", "Marrickville Public School"]


# --- writes -----------------------------------------------------------------------------


def test_a_batch_of_thirty_answers_each_record_and_one_taken_name_fails_alone(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    drafts = [
        AppContactDraft(name=f"Batch Customer {n:02d}", email=f"b{n}@x.example") for n in range(30)
    ]
    drafts[7] = AppContactDraft(name="bondi beach cafe")  # taken, whatever the case
    before = _calls(connected)
    results = app.create_contacts(drafts, "batch-30")
    assert _spent(before, connected) == {BATCH: 1}
    assert [r.ok for r in results].count(True) == 29
    assert results[7].reason is WriteFailure.NAME_TAKEN
    assert results[7].errors
    assert results[3].record is not None
    assert results[3].record.name == "Batch Customer 03"
    names = {c["DisplayName"] for c in _records(connected, "Customer")}
    assert {f"Batch Customer {n:02d}" for n in range(30) if n != 7} <= names
    assert "Batch Customer 07" not in names


def test_a_lost_reply_sent_again_with_its_key_makes_one_record(qbo_connected):
    connected = qbo_connected
    realm = connected.realm_id
    connected.emulator.faults.add("POST", f"/v3/company/{realm}/batch", mode="commit_then_drop")
    drafts = [AppContactDraft(name="Lost Reply Plumbing", email="lost@reply.example")]
    with pytest.raises(ProviderUnavailable):
        connected.app().create_contacts(drafts, "lost-1")
    [again] = connected.app().create_contacts(drafts, "lost-1")
    assert again.ok
    held = [c for c in _records(connected, "Customer") if c["DisplayName"] == "Lost Reply Plumbing"]
    assert len(held) == 1
    assert again.record is not None
    assert again.record.id == held[0]["Id"]


def test_an_update_on_a_stale_sync_token_is_read_again_and_applied_once(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])  # SyncToken "0"
    other = connected.app()  # someone else edits it in the meantime
    [edit] = other.update_contacts(
        [AppContactDraft(id=cafe.id, name="Bondi Beach Cafe", phone="02 9000 0000")], "other"
    )
    assert edit.ok
    [result] = app.update_contacts(
        [AppContactDraft(id=cafe.id, name="Bondi Beach Cafe", email="new@bondi.example")], "mine"
    )
    assert result.ok
    [held] = [c for c in _records(connected, "Customer") if c["Id"] == cafe.id]
    assert held["PrimaryEmailAddr"]["Address"] == "new@bondi.example"
    # Sparse: the other edit and fields Loc8 does not own are kept.
    assert held["PrimaryPhone"]["FreeFormNumber"] == "02 9000 0000"
    assert held["BillAddr"]["City"] == "Bondi Beach"
    assert held["SyncToken"] == "2"


def test_items_are_saved_with_the_sku_as_code_and_the_income_account(qbo_connected):
    app = qbo_connected.app()
    sales = _account(app, "Sales")
    gst = _tax_code(app, "GST")
    [made] = app.save_items(
        [
            AppItem(
                code="HWS-INST",
                name="Hot water system install",
                unit_price=Decimal("1450"),
                account_code=sales,
                tax_type=gst,
            )
        ],
        "items-1",
    )
    assert made.ok
    assert made.record is not None
    assert made.record.code == "HWS-INST"
    [held] = [i for i in _records(qbo_connected, "Item") if i.get("Sku") == "HWS-INST"]
    assert held["IncomeAccountRef"]["value"] == sales
    assert held["Type"] == "Service"
    [renamed] = app.save_items([made.record.model_copy(update={"name": "HWS install"})], "items-2")
    assert renamed.ok
    [held] = [i for i in _records(qbo_connected, "Item") if i.get("Sku") == "HWS-INST"]
    assert held["Name"] == "HWS install"


def _invoice(app, customer_id: str, number: str, **changes) -> AppInvoice:
    gst = _tax_code(app, "GST")
    invoice = AppInvoice(
        number=number,
        contact_id=customer_id,
        status=AppInvoiceStatus.APPROVED,
        date=date(2026, 11, 20),
        due_date=date(2026, 12, 20),
        reference="Job 77",
        url=f"https://loc8.example/invoices/{number}",
        lines=[
            AppInvoiceLine(
                description="Labour",
                quantity=Decimal("2"),
                unit_amount=Decimal("110"),
                tax_type=gst,
                item_code="Labour - standard hour",
            ),
            AppInvoiceLine(
                description="Parts",
                quantity=Decimal("3"),
                unit_amount=Decimal("33.3333"),
                tax_type=gst,
                account_code=_account(app, "Sales"),
            ),
        ],
    )
    return invoice.model_copy(update=changes)


def test_an_invoice_and_its_payment_reach_quickbooks_and_read_back_paid(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])
    [created] = app.create_invoices([_invoice(app, cafe.id, "L8-1001")], "inv-1")
    assert created.ok, created.errors
    invoice = created.record
    assert invoice is not None
    assert invoice.id is not None
    assert invoice.total == Decimal("352.00")  # 220 + 100 + GST 10%
    assert invoice.url == "https://loc8.example/invoices/L8-1001"
    [found] = app.find_invoices(["L8-1001"])
    assert found.id == invoice.id
    # The line without an item of its own is sold as Loc8's item for its account.
    [held] = [i for i in _records(connected, "Invoice") if i["Id"] == invoice.id]
    sold_as = [line["SalesItemLineDetail"]["ItemRef"]["name"] for line in held["Line"][:2]]
    assert sold_as == ["Labour - standard hour", "Sales (Loc8)"]
    [own] = [i for i in _records(connected, "Item") if i["Name"] == "Sales (Loc8)"]
    assert own["IncomeAccountRef"]["value"] == _account(app, "Sales")
    assert "Sku" not in own
    bank = _account(app, "Business Cheque Account")
    [paid] = connected.app().create_payments(
        [
            AppPaymentDraft(
                invoice_id=invoice.id,
                account_code=bank,
                amount=Decimal("352.00"),
                date=date(2026, 11, 25),
                reference="EFT 4411",
            )
        ],
        "pay-1",
    )
    assert paid.ok, paid.errors
    [current] = connected.app().get_invoices([invoice.id])
    assert current.status is AppInvoiceStatus.PAID
    assert [(p.id, p.amount) for p in current.payments] == [(paid.record.id, Decimal("352"))]
    [held] = [p for p in _records(connected, "Payment") if p["Id"] == paid.record.id]
    assert held["DepositToAccountRef"]["value"] == bank
    assert held["CustomerRef"]["value"] == cafe.id


def test_a_duplicate_invoice_number_is_number_taken(qbo_connected):
    app = qbo_connected.app()
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])
    [first] = app.create_invoices([_invoice(app, cafe.id, "L8-2001")], "dup-1")
    assert first.ok
    [second] = app.create_invoices([_invoice(app, cafe.id, "L8-2001")], "dup-2")
    assert second.reason is WriteFailure.NUMBER_TAKEN


def test_a_voided_loc8_invoice_is_voided_in_quickbooks_and_reads_back_voided(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])
    [created] = app.create_invoices([_invoice(app, cafe.id, "L8-3001")], "void-1")
    assert created.record is not None
    current = connected.app()
    [read] = current.get_invoices([created.record.id or ""])
    [voided] = current.update_invoices(
        [read.model_copy(update={"status": AppInvoiceStatus.VOIDED})], "void-2"
    )
    assert voided.ok, voided.errors
    assert voided.record is not None
    assert voided.record.status is AppInvoiceStatus.VOIDED
    [held] = [i for i in _records(connected, "Invoice") if i["Id"] == created.record.id]
    assert held["TotalAmt"] == 0


# --- limits -----------------------------------------------------------------------------


def test_a_429_is_rate_limited_with_intuits_minute_and_spends_the_budget(qbo_connected):
    connected = qbo_connected
    connected.emulator.limits.configure(per_minute=2)
    app = connected.app()
    app.find_contacts(names=["Jane Nguyen"], emails=[])
    app.find_contacts(names=["Jane Nguyen"], emails=[])
    with pytest.raises(RateLimited) as raised:
        app.find_contacts(names=["Jane Nguyen"], emails=[])
    assert raised.value.retry_after_seconds == 60
    budget = app.rate_budget()
    assert budget.calls_left == 0
    assert budget.refill_seconds > 0


def test_the_budget_counts_calls_and_batch_requests_made(qbo_connected):
    app = qbo_connected.app()
    assert app.rate_budget().calls_left is None
    app.find_contacts(names=["Jane Nguyen"], emails=[])
    assert app.rate_budget().calls_left == 499
    app.accounts()  # a batch: 40 a minute is now the nearer limit
    assert app.rate_budget().calls_left == 39


def test_an_invoice_update_changes_its_lines_in_place_and_keeps_what_loc8_does_not_own(
    qbo_connected,
):
    connected = qbo_connected
    app = connected.app()
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])
    [created] = app.create_invoices([_invoice(app, cafe.id, "L8-4001")], "upd-1")
    assert created.record is not None
    books = _company(connected).books
    with books.lock:  # the accountant adds a note for the customer's statement
        record = books.table("Invoice")[created.record.id or ""]
        record["BillEmail"] = {"Address": "statements@bondi.example"}
        books.touch(record, connected.emulator.clock.now())
    [current] = connected.app().get_invoices([created.record.id or ""])
    first, second = current.lines
    wanted = current.model_copy(
        update={"lines": [first, second.model_copy(update={"quantity": Decimal("6")})]}
    )
    [updated] = app.update_invoices([wanted], "upd-2")  # its SyncToken is stale: read again
    assert updated.ok, updated.errors
    [held] = [i for i in _records(connected, "Invoice") if i["Id"] == created.record.id]
    assert [line["Id"] for line in held["Line"] if "Id" in line][:2] == [first.id, second.id]
    assert held["TotalAmt"] == 462.0  # (220 + 200) + GST
    assert held["BillEmail"]["Address"] == "statements@bondi.example"


def test_an_invoice_read_back_names_its_items_by_loc8s_code(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    [item] = app.save_items(
        [
            AppItem(
                code="HWS-INST",
                name="Hot water system install",
                unit_price=Decimal("1450"),
                account_code=_account(app, "Sales"),
                tax_type=_tax_code(app, "GST"),
            )
        ],
        "items-sku",
    )
    assert item.ok
    [cafe] = app.find_contacts(names=["Bondi Beach Cafe"], emails=[])
    line = AppInvoiceLine(
        description="Install",
        quantity=Decimal(1),
        unit_amount=Decimal(1450),
        tax_type=_tax_code(app, "GST"),
        item_code="HWS-INST",
    )
    [made] = app.create_invoices([_invoice(app, cafe.id, "L8-5001", lines=[line])], "sku-inv")
    assert made.ok, made.errors
    [read] = connected.app().get_invoices([made.record.id or ""])  # a later job's read
    assert [line.item_code for line in read.lines] == ["HWS-INST"]


def test_an_entity_that_filled_a_query_page_is_not_asked_of_the_change_feed_again(
    qbo_connected,
):
    """The walker restarts at page 1 after each page; once customers outnumber what the
    feed answers, a write between pages (which makes the feed's answer stale) must not
    send the next page back to the feed, only to a query."""
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=1))
    since = clock.now() - timedelta(seconds=30)
    seed_customers(_company(connected), 1200, clock.now())
    app = connected.app()
    first = next(iter(app.contact_pages(since)))
    assert len(first.records) == 1000
    app.create_contacts([AppContactDraft(name="Between Pages Pty Ltd")], "between-pages")
    before = _calls(connected)
    restarted = next(iter(app.contact_pages(first.records[-1].updated_at)))
    assert restarted.records
    assert _spent(before, connected) == {QUERY: 1}
