"""Reading a tenant through the HTTP adapter: pages, changed-since, single records."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.loc8 import Loc8CustomerDraft, Loc8InvoiceStatus, iter_items
from chalicelib.domain.loc8_errors import Loc8NotFound
from localdev.loc8 import Loc8Emulator
from tests.support.loc8_emulator import TENANT, add_customers

LIST_CUSTOMERS = "GET /v1/tenants/{tenant_id}/customers"


def test_every_customer_comes_once_across_many_small_pages(loc8, emulator: Loc8Emulator):
    pages = list(loc8.customer_pages("demo", limit=2))

    seen = [customer.id for page in pages for customer in page.items]
    assert len(pages) == math.ceil(25 / 2) == emulator.calls[LIST_CUSTOMERS]
    assert sorted(seen) == sorted(c["id"] for c in emulator.snapshot("demo")["customers"])
    assert len(set(seen)) == len(seen) == 25
    assert all(page.next_cursor for page in pages[:-1])
    assert pages[-1].next_cursor is None
    order = [(c.updated_at, c.id) for page in pages for c in page.items]
    assert order == sorted(order)


def test_pages_are_fetched_only_as_the_caller_asks(loc8, emulator: Loc8Emulator):
    pages = loc8.customer_pages("demo", limit=5)
    assert emulator.calls[LIST_CUSTOMERS] == 0
    first = next(pages)
    assert emulator.calls[LIST_CUSTOMERS] == 1

    resumed = list(loc8.customer_pages("demo", cursor=first.next_cursor, limit=5))
    ids = [c.id for c in first.items] + [c.id for page in resumed for c in page.items]
    assert len(ids) == len(set(ids)) == 25


def test_records_changed_while_paging_are_neither_skipped_nor_repeated(
    loc8, emulator: Loc8Emulator
):
    ids = add_customers(emulator, 10)
    pages = loc8.customer_pages(TENANT, limit=3)
    seen = [(c.id, c.version) for c in next(pages).items]
    already_seen, not_yet_seen = seen[0][0], ids[7]

    # Someone edits one customer the sync has read and one it has not, and adds one.
    for customer_id in (already_seen, not_yet_seen):
        current = loc8.get_customer(TENANT, customer_id)
        changed = current.to_draft().model_copy(update={"phone": "02 5550 7777"})
        loc8.update_customer(TENANT, customer_id, changed, version=current.version)
    added = loc8.create_customer(TENANT, Loc8CustomerDraft(name="Added mid-pass"))
    seen += [(c.id, c.version) for page in pages for c in page.items]

    assert len(seen) == len(set(seen)), "no (id, version) is returned twice"
    assert {customer_id for customer_id, _ in seen} == {*ids, added.id}, "nothing skipped"
    assert [v for i, v in seen if i == not_yet_seen] == [2], "seen once, already changed"
    assert [v for i, v in seen if i == already_seen] == [1, 2], "the change comes again"


def test_updated_since_is_inclusive(loc8, emulator: Loc8Emulator):
    add_customers(emulator, 4)
    everyone = list(loc8.iter_customers(TENANT))
    boundary = everyone[2]

    since = list(loc8.iter_customers(TENANT, updated_since=boundary.updated_at))
    assert [c.id for c in since] == [c.id for c in everyone[2:]]
    later = boundary.updated_at + timedelta(microseconds=1)
    assert [c.id for c in loc8.iter_customers(TENANT, updated_since=later)] == [
        c.id for c in everyone[3:]
    ]


def test_a_quiet_tenant_costs_one_call(loc8, emulator: Loc8Emulator):
    newest = max(c.updated_at for c in loc8.iter_customers("demo"))
    calls_before = emulator.calls[LIST_CUSTOMERS]

    changed = list(loc8.iter_customers("demo", updated_since=newest + timedelta(seconds=1)))
    assert changed == []
    assert emulator.calls[LIST_CUSTOMERS] == calls_before + 1


def test_the_first_page_of_an_empty_tenant_is_the_last(loc8, emulator: Loc8Emulator):
    emulator.add_tenant("empty")
    [page] = list(loc8.invoice_pages("empty"))
    assert page.items == []
    assert page.next_cursor is None


def test_invoices_come_with_lines_totals_and_payments(loc8):
    invoices = list(iter_items(loc8.invoice_pages("demo", limit=7)))
    assert len(invoices) == 40
    for invoice in invoices:
        assert invoice.total == invoice.subtotal + invoice.total_tax
        assert invoice.subtotal == sum(line.line_amount for line in invoice.lines)
        assert invoice.amount_due == invoice.total - sum(p.amount for p in invoice.payments)
    paid = [i for i in invoices if i.status is Loc8InvoiceStatus.PAID]
    assert paid
    assert all(i.amount_due == Decimal("0.00") for i in paid)

    one = loc8.get_invoice("demo", paid[0].id)
    assert one == paid[0]
    assert one.lines[0].line_item_id is not None
    assert one.due_date >= one.issue_date


def test_line_items_and_tax_types_read_as_decimals(loc8):
    items = {item.code: item for item in loc8.iter_line_items("demo")}
    assert items["LAB-STD"].unit_price == Decimal("124.00")
    assert items["LAB-STD"].version == 2
    assert items["FEE-BACKFLOW"].tax_type_code == "GST_FREE"
    assert loc8.get_line_item("demo", items["CALLOUT"].id) == items["CALLOUT"]

    rates = {t.code: t.rate for t in loc8.tax_types("demo")}
    assert rates == {
        "BAS_EXCLUDED": Decimal("0.00"),
        "GST": Decimal("10.00"),
        "GST_FREE": Decimal("0.00"),
    }


def test_missing_records_and_tenants_are_not_found(loc8):
    with pytest.raises(Loc8NotFound, match="invoice"):
        loc8.get_invoice("demo", "inv_missing")
    with pytest.raises(Loc8NotFound, match="tenant"):
        list(loc8.iter_customers("no-such-tenant"))
