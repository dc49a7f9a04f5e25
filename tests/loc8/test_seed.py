"""The demo tenant: the size, mix and history the brief asks for, the same every time."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from localdev.emukit import Clock
from localdev.loc8 import DEMO_TENANT_ID, Loc8Emulator
from localdev.loc8.seed import SEED_AS_OF


@pytest.fixture(scope="module")
def demo() -> dict:
    return Loc8Emulator(clock=Clock(), seed_demo=True).snapshot(DEMO_TENANT_ID)


def test_the_demo_business_has_the_promised_size(demo):
    assert len(demo["customers"]) == 25
    assert len(demo["line_items"]) == 15
    assert len(demo["invoices"]) == 40
    assert Counter(i["status"] for i in demo["invoices"]) == {"draft": 8, "issued": 17, "paid": 15}


def test_tax_types_are_the_australian_three(demo):
    assert {(t["code"], t["name"], t["rate"], t["active"]) for t in demo["tax_types"]} == {
        ("GST", "GST on Income", "10.00", True),
        ("GST_FREE", "GST Free Income", "0.00", True),
        ("BAS_EXCLUDED", "BAS Excluded", "0.00", True),
    }


def test_the_catalogue_is_a_trades_catalogue(demo):
    codes = {item["code"] for item in demo["line_items"]}
    assert {"LAB-STD", "LAB-AH", "LAB-APP", "CALLOUT"} <= codes
    assert sum(code.startswith("MAT-") for code in codes) >= 8
    prices = {item["code"]: Decimal(item["unit_price"]) for item in demo["line_items"]}
    assert prices["LAB-APP"] < prices["LAB-STD"] < prices["LAB-AH"]
    assert {item["tax_type_code"] for item in demo["line_items"]} == {"GST", "GST_FREE"}


def test_invoices_add_up_and_point_at_real_records(demo):
    customers = {c["id"] for c in demo["customers"]}
    items = {i["id"] for i in demo["line_items"]}
    for invoice in demo["invoices"]:
        assert invoice["customer_id"] in customers
        assert invoice["lines"]
        assert all(line["line_item_id"] in items | {None} for line in invoice["lines"])
        total = Decimal(invoice["subtotal"]) + Decimal(invoice["total_tax"])
        assert Decimal(invoice["total"]) == total
        assert invoice["issue_date"] <= invoice["due_date"]
        assert invoice["issue_date"] <= SEED_AS_OF.isoformat()
    numbers = sorted(i["number"] for i in demo["invoices"])
    assert numbers == [f"INV-{n}" for n in range(1001, 1041)]


def test_paid_means_paid_and_some_issued_are_part_paid(demo):
    by_status: dict[str, list[dict]] = {}
    for invoice in demo["invoices"]:
        by_status.setdefault(invoice["status"], []).append(invoice)
    assert all(i["amount_due"] == "0.00" and i["payments"] for i in by_status["paid"])
    part_paid = [i for i in by_status["issued"] if i["payments"]]
    assert len(part_paid) == 3
    assert all(Decimal(i["amount_due"]) > 0 for i in part_paid)
    assert all(not i["payments"] for i in by_status["draft"])


def test_it_has_the_awkward_cases_a_sync_must_handle(demo):
    emails = Counter(c["email"] for c in demo["customers"])
    assert emails[None] == 2, "customers without an email"
    assert max(n for email, n in emails.items() if email) == 2, "a shared email"
    lines = [line for invoice in demo["invoices"] for line in invoice["lines"]]
    assert any(line["line_item_id"] is None for line in lines), "a free-text line"
    assert any(line["tax_type_code"] == "GST_FREE" for line in lines)


def test_it_is_the_same_every_time(demo):
    again = Loc8Emulator(clock=Clock(), seed_demo=True).snapshot(DEMO_TENANT_ID)
    assert again == demo


def test_history_is_in_the_past_and_in_order(demo):
    stamps = [r["updated_at"] for kind in ("customers", "invoices") for r in demo[kind]]
    assert max(stamps) < "2026-11-21"
    created = [i["updated_at"] for i in demo["invoices"] if i["status"] == "draft"]
    assert created == sorted(created)
