"""Writing through the HTTP adapter: versions, validation, tax types, invoice feedback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.errors import FieldProblem
from chalicelib.domain.loc8 import (
    Address,
    ExternalRef,
    Loc8CustomerDraft,
    Loc8InvoiceStatus,
    Loc8LineItemDraft,
    Loc8PaymentDraft,
)
from chalicelib.domain.loc8_errors import (
    Loc8Conflict,
    Loc8ValidationFailed,
    Loc8VersionConflict,
)
from localdev.loc8 import Loc8Emulator
from tests.support.loc8_emulator import TENANT

XERO_REF = ExternalRef(
    app="xero",
    external_id="0a1b2c3d-0000-4000-8000-000000000001",
    url="https://go.xero.com/app/invoicing/view/0a1b2c3d-0000-4000-8000-000000000001",
)


def _issued_invoice(loc8) -> str:
    return next(i.id for i in loc8.iter_invoices("demo") if i.status == "issued" and not i.payments)


def test_a_customer_is_created_and_updated_with_its_version(loc8):
    draft = Loc8CustomerDraft(
        name="Tamarama Surf Club",
        email="admin@tamaramasurf.example",
        addresses=[Address(kind="billing", line1="1 Pacific Ave", city="Tamarama")],
    )
    created = loc8.create_customer(TENANT, draft)
    assert created.version == 1
    assert created.addresses[0].country == "AU"

    linked = created.to_draft().model_copy(update={"external_refs": [XERO_REF]})
    updated = loc8.update_customer(TENANT, created.id, linked, version=created.version)
    assert updated.version == 2
    assert updated.updated_at > created.updated_at
    assert updated.external_ref("xero") == XERO_REF
    assert loc8.get_customer(TENANT, created.id) == updated


def test_a_stale_version_is_a_conflict_that_says_the_current_one(loc8):
    customer = next(loc8.iter_customers("demo"))
    someone_else = customer.to_draft().model_copy(update={"phone": "02 5550 1111"})
    loc8.update_customer("demo", customer.id, someone_else, version=customer.version)

    mine = customer.to_draft().model_copy(update={"phone": "02 5550 2222"})
    with pytest.raises(Loc8VersionConflict) as conflict:
        loc8.update_customer("demo", customer.id, mine, version=customer.version)
    assert conflict.value.current_version == customer.version + 1
    assert loc8.get_customer("demo", customer.id).phone == "02 5550 1111"


def test_a_write_that_changes_nothing_keeps_version_and_stamp(loc8):
    item = next(loc8.iter_line_items("demo"))
    again = loc8.update_line_item("demo", item.id, item.to_draft(), version=item.version)
    assert (again.version, again.updated_at) == (item.version, item.updated_at)
    # Even from a stale read: the record already looks the way the writer wants.
    stale = loc8.update_line_item("demo", item.id, item.to_draft(), version=1)
    assert stale.version == item.version


def test_rules_loc8_checks_come_back_as_field_problems(loc8):
    clash = Loc8LineItemDraft(
        code="lab-std", name="Labour", unit_price=Decimal("99.00"), tax_type_code="VAT"
    )
    with pytest.raises(Loc8ValidationFailed) as refused:
        loc8.create_line_item("demo", clash)
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"code", "tax_type_code"}
    assert all(isinstance(problem, FieldProblem) for problem in refused.value.problems)


def test_a_line_item_is_created_and_repriced(loc8):
    draft = Loc8LineItemDraft(
        code="MAT-TMV",
        name="Tempering valve 15 mm",
        unit_price=Decimal("165.5"),
        tax_type_code="GST",
        account_code="210",
    )
    created = loc8.create_line_item("demo", draft)
    assert created.unit_price == Decimal("165.5")
    repriced = created.to_draft().model_copy(update={"unit_price": Decimal("171.2500")})
    updated = loc8.update_line_item("demo", created.id, repriced, version=created.version)
    assert updated.unit_price == Decimal("171.25")
    assert updated.version == 2


def test_an_invoice_records_where_it_lives_in_the_app(loc8):
    invoice_id = _issued_invoice(loc8)
    first = loc8.record_invoice_external_ref("demo", invoice_id, XERO_REF)
    assert first.external_ref("xero") == XERO_REF
    again = loc8.record_invoice_external_ref("demo", invoice_id, XERO_REF)
    assert again.version == first.version


def test_a_payment_is_recorded_once_however_often_it_is_sent(loc8, emulator: Loc8Emulator):
    invoice_id = _issued_invoice(loc8)
    due = loc8.get_invoice("demo", invoice_id).amount_due
    payment = Loc8PaymentDraft(
        app="xero", external_id="pay-77", amount=due, paid_on=date(2026, 11, 24), reference="EFT"
    )
    first = loc8.record_payment("demo", invoice_id, payment)
    second = loc8.record_payment("demo", invoice_id, payment)
    assert second.payment == first.payment
    assert (first.newly_recorded, second.newly_recorded) == (True, False)
    invoice = loc8.get_invoice("demo", invoice_id)
    assert invoice.amount_due == Decimal("0.00")
    assert [p.external_id for p in invoice.payments] == ["pay-77"]
    assert invoice.status is Loc8InvoiceStatus.ISSUED, "paying does not change the status"

    different = payment.model_copy(update={"amount": Decimal("1.00")})
    with pytest.raises(Loc8Conflict) as conflict:
        loc8.record_payment("demo", invoice_id, different)
    assert conflict.value.kind == "payment-conflict"


def test_a_payment_above_the_amount_due_is_refused(loc8):
    invoice_id = _issued_invoice(loc8)
    due = loc8.get_invoice("demo", invoice_id).amount_due
    too_much = Loc8PaymentDraft(
        app="xero", external_id="pay-big", amount=due + Decimal("0.01"), paid_on=date(2026, 11, 24)
    )
    with pytest.raises(Loc8ValidationFailed) as refused:
        loc8.record_payment("demo", invoice_id, too_much)
    assert [p.field for p in refused.value.problems] == ["amount"]


def test_status_follows_the_app_but_only_forwards(loc8):
    invoice = loc8.get_invoice("demo", _issued_invoice(loc8))
    paid = loc8.set_invoice_status(
        "demo", invoice.id, Loc8InvoiceStatus.PAID, version=invoice.version
    )
    assert paid.status is Loc8InvoiceStatus.PAID
    # Asking again is harmless, even with the old version.
    same = loc8.set_invoice_status(
        "demo", invoice.id, Loc8InvoiceStatus.PAID, version=invoice.version
    )
    assert same.version == paid.version
    with pytest.raises(Loc8Conflict) as refused:
        loc8.set_invoice_status("demo", invoice.id, Loc8InvoiceStatus.VOIDED, version=paid.version)
    assert refused.value.kind == "invalid-status"


def test_a_stale_status_change_is_a_version_conflict(loc8):
    invoice = loc8.get_invoice("demo", _issued_invoice(loc8))
    loc8.record_invoice_external_ref("demo", invoice.id, XERO_REF)
    with pytest.raises(Loc8VersionConflict) as conflict:
        loc8.set_invoice_status(
            "demo", invoice.id, Loc8InvoiceStatus.VOIDED, version=invoice.version
        )
    assert conflict.value.current_version == invoice.version + 1


def test_a_rerun_job_with_the_same_key_creates_nothing_new(loc8, emulator: Loc8Emulator):
    draft = Loc8CustomerDraft(name="Once Only Pty Ltd")
    key = "int_123:customer:xero-contact-9"
    first = loc8.create_customer(TENANT, draft, idempotency_key=key)
    second = loc8.create_customer(TENANT, draft, idempotency_key=key)
    assert second == first
    names = [c["name"] for c in emulator.snapshot(TENANT)["customers"]]
    assert names.count("Once Only Pty Ltd") == 1

    with pytest.raises(Loc8ValidationFailed, match="different request"):
        loc8.create_customer(TENANT, Loc8CustomerDraft(name="Other"), idempotency_key=key)
