"""The invoice rules the sync applies, each on its own: drafting, comparing, statuses."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chalicelib.domain.accounting import AppInvoice, AppInvoiceLine, AppInvoiceStatus
from chalicelib.domain.app_invoices import (
    Unsendable,
    draft_invoice,
    loc8_fingerprint,
    ours_by_number,
    removal_status,
    same_origin,
    status_to_send,
    update_for,
)
from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval
from chalicelib.domain.loc8 import ExternalRef, Loc8Invoice, Loc8InvoiceStatus
from chalicelib.domain.sync_config import InvoiceStatus, SyncConfig, SyncDomains

WITH_DRAFTS = AppProfile(
    key="books-a",
    name="Books A",
    write_batch_size=50,
    lookup_batch_size=20,
    contact_name_max_length=255,
    item_name_max_length=50,
    item_code_max_length=30,
    account_code_max_length=10,
    phone_max_length=50,
    has_draft_invoices=True,
    remove_unapproved_invoice=InvoiceRemoval.DELETE,
    remove_approved_invoice=InvoiceRemoval.VOID,
    idempotency_key_lifetime=None,
)
WITHOUT_DRAFTS = dataclasses.replace(
    WITH_DRAFTS,
    name="Books B",
    has_draft_invoices=False,
    remove_approved_invoice=InvoiceRemoval.DELETE,
)
WEB = "https://app.loc8.example"


def loc8_invoice(**changes) -> Loc8Invoice:
    fields = {
        "id": "inv-1",
        "version": 3,
        "updated_at": datetime(2026, 11, 20, tzinfo=UTC),
        "number": "INV-0042",
        "customer_id": "cus-1",
        "reference": "Job 42",
        "issue_date": date(2026, 11, 2),
        "due_date": date(2026, 11, 30),
        "status": Loc8InvoiceStatus.ISSUED,
        "currency": "AUD",
        "lines": [
            {
                "id": "l1",
                "line_item_id": "li-callout",
                "description": "Call-out",
                "quantity": "1",
                "unit_price": "120.0000",
                "tax_type_code": "GST",
                "line_amount": "120.00",
                "tax_amount": "12.00",
            },
            {
                "id": "l2",
                "line_item_id": None,
                "description": "Parking",
                "quantity": "1",
                "unit_price": "18.50",
                "tax_type_code": "GST_FREE",
                "line_amount": "18.50",
                "tax_amount": "0",
            },
        ],
        "subtotal": "138.50",
        "total_tax": "12.00",
        "total": "150.50",
        "amount_paid": "0",
        "amount_due": "150.50",
        "payments": [],
        "external_refs": [],
    }
    return Loc8Invoice.model_validate({**fields, **changes})


def config(status: InvoiceStatus = InvoiceStatus.DRAFT) -> SyncConfig:
    return SyncConfig(
        sync=SyncDomains(invoices=True),
        invoice_status=status,
        default_account_code="200",
        line_item_accounts={"li-callout": "260"},
    )


def draft(profile: AppProfile = WITH_DRAFTS, **options) -> AppInvoice:
    arguments = {
        "contact_id": "c-9",
        "config": config(),
        "profile": profile,
        "tax_code": {"GST": "OUT10", "GST_FREE": "OUT0"}.get,
        "item_code": {"li-callout": "CALL"}.get,
        "item_account": {}.get,
        "web_url": WEB,
        **options,
    }
    return draft_invoice(loc8_invoice(), **arguments)


def test_a_draft_carries_loc8s_fields_in_the_apps_codes():
    invoice = draft()
    assert (invoice.number, invoice.contact_id, invoice.reference) == ("INV-0042", "c-9", "Job 42")
    assert invoice.url == f"{WEB}/invoices/inv-1"
    assert [(line.account_code, line.tax_type, line.item_code) for line in invoice.lines] == [
        ("260", "OUT10", "CALL"),  # mapped account, the app's item
        ("200", "OUT0", None),  # free text: default account, no item
    ]


def test_an_unmapped_line_is_coded_to_its_app_items_own_account_not_the_default():
    # A bookkeeper who left an item unmapped keeps the account the app's item has; the
    # default is only for lines with no item in the app.
    unmapped = config().model_copy(update={"line_item_accounts": {}})
    invoice = draft(config=unmapped, item_account={"li-callout": "270"}.get)
    assert [line.account_code for line in invoice.lines] == ["270", "200"]


def test_an_explicit_mapping_wins_over_the_app_items_account():
    invoice = draft(item_account={"li-callout": "270"}.get)
    assert invoice.lines[0].account_code == "260"


def test_a_tax_code_the_app_lacks_makes_the_invoice_unsendable_naming_the_app():
    with pytest.raises(Unsendable, match="GST_FREE on 'Parking' has no Books A equivalent"):
        draft(tax_code={"GST": "OUT10"}.get)


@pytest.mark.parametrize(
    ("profile", "configured", "sent"),
    [
        (WITH_DRAFTS, InvoiceStatus.DRAFT, AppInvoiceStatus.DRAFT),
        (WITH_DRAFTS, InvoiceStatus.APPROVED, AppInvoiceStatus.APPROVED),
        (WITHOUT_DRAFTS, InvoiceStatus.DRAFT, AppInvoiceStatus.APPROVED),
        (WITHOUT_DRAFTS, InvoiceStatus.APPROVED, AppInvoiceStatus.APPROVED),
    ],
)
def test_the_configured_status_is_sent_unless_the_app_has_no_drafts(profile, configured, sent):
    assert status_to_send(configured, profile) is sent
    assert draft(profile, config=config(configured)).status is sent


@pytest.mark.parametrize(
    ("profile", "current", "removed"),
    [
        (WITH_DRAFTS, AppInvoiceStatus.DRAFT, AppInvoiceStatus.DELETED),
        (WITH_DRAFTS, AppInvoiceStatus.AWAITING_APPROVAL, AppInvoiceStatus.DELETED),
        (WITH_DRAFTS, AppInvoiceStatus.APPROVED, AppInvoiceStatus.VOIDED),
        (WITHOUT_DRAFTS, AppInvoiceStatus.APPROVED, AppInvoiceStatus.DELETED),
    ],
)
def test_a_voided_invoice_leaves_the_app_by_the_apps_rule(profile, current, removed):
    assert removal_status(current, profile) is removed


def as_stored(invoice: AppInvoice, **changes) -> AppInvoice:
    lines = [
        line.model_copy(update={"id": f"app-line-{n}"}) for n, line in enumerate(invoice.lines)
    ]
    return invoice.model_copy(update={"id": "app-1", "lines": lines, **changes})


def test_an_unchanged_invoice_needs_no_update():
    wanted = draft()
    assert update_for(wanted, as_stored(wanted)) is None


def test_an_update_keeps_the_apps_line_ids_in_order_and_adds_new_lines():
    before = draft()
    current = as_stored(before)
    extra = AppInvoiceLine(description="Filter", quantity=Decimal(2), unit_amount=Decimal(9))
    edited = before.model_copy(update={"lines": [*before.lines, extra]})
    sent = update_for(edited, current)
    assert sent is not None
    assert sent.id == "app-1"
    assert [line.id for line in sent.lines] == ["app-line-0", "app-line-1", None]


def test_an_update_never_moves_an_invoice_back_to_draft():
    wanted = draft()  # configured as draft
    approved_in_app = as_stored(wanted, status=AppInvoiceStatus.APPROVED)
    assert update_for(wanted, approved_in_app) is None
    edited = wanted.model_copy(update={"reference": "Job 43"})
    sent = update_for(edited, approved_in_app)
    assert sent is not None
    assert sent.status is AppInvoiceStatus.APPROVED


def test_a_paid_invoice_matching_in_content_is_left_alone():
    wanted = draft(config=config(InvoiceStatus.APPROVED))
    assert update_for(wanted, as_stored(wanted, status=AppInvoiceStatus.PAID)) is None


def test_only_our_own_earlier_invoice_is_of_the_same_origin():
    ours = draft()
    assert same_origin(ours, as_stored(ours))
    assert not same_origin(ours, as_stored(ours, contact_id="someone-else"))
    assert not same_origin(ours, as_stored(ours, url=None))  # made in the app itself
    assert not same_origin(ours, as_stored(ours, status=AppInvoiceStatus.DELETED))
    assert same_origin(ours, as_stored(ours, number="inv-0042"))  # numbers ignore case


def test_two_invoices_of_the_same_origin_are_not_ours_to_pick():
    ours = draft()
    one, two = as_stored(ours), as_stored(ours, id="app-2")
    assert ours_by_number({"inv-1": ours}, [one]) == {"inv-1": one}
    assert ours_by_number({"inv-1": ours}, [one, two]) == {"inv-1": None}
    assert ours_by_number({"inv-1": ours}, []) == {"inv-1": None}


def test_the_loc8_fingerprint_ignores_our_echoes_but_not_voiding_or_edits():
    base = loc8_fingerprint(loc8_invoice())
    echoed = loc8_invoice(
        status=Loc8InvoiceStatus.PAID,
        version=9,
        external_refs=[ExternalRef(app="xero", external_id="app-1")],
    )
    assert loc8_fingerprint(echoed) == base
    assert loc8_fingerprint(loc8_invoice(status=Loc8InvoiceStatus.VOIDED)) != base
    assert loc8_fingerprint(loc8_invoice(reference="Job 43")) != base
