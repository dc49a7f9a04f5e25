"""Payments and paid/voided status, Xero → Loc8, for the invoices the service sent: once."""

from __future__ import annotations

from decimal import Decimal

from localdev.xero import DEMO_TENANT_ID
from tests.emulated import Emulated
from tests.sync.running import sync
from tests.sync.test_invoices_sync import (
    activate,
    loc8_invoice,
    loc8_invoices,
    money,
    service_app,
    xero_invoice,
)

PAYMENTS_CURSOR = "payments#app"


def unpaid_issued_invoices(emulated: Emulated) -> list[dict]:
    return [
        i
        for i in loc8_invoices(emulated)
        if i["status"] == "issued" and Decimal(i["amount_paid"]) == 0
    ]


def pay_in_xero(emulated: Emulated, number: str, amount: object, reference: str) -> str:
    sent = xero_invoice(emulated, number)
    [payment_id] = emulated.xero.seed(
        DEMO_TENANT_ID,
        Payments=[
            {
                "Invoice": {"InvoiceID": sent["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-11-23",
                "Amount": str(amount),
                "Reference": reference,
            }
        ],
    )["Payments"]
    return payment_id


def test_a_payment_in_xero_is_recorded_once_in_loc8_and_paid_status_lands(emulated):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    full, part = unpaid_issued_invoices(emulated)[:2]
    full_payment = pay_in_xero(emulated, full["number"], full["total"], "EFT 4411")
    part_payment = pay_in_xero(emulated, part["number"], "50.00", "Deposit")

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["payments"]["created"] == 2
    paid = loc8_invoice(emulated, full["id"])
    [recorded] = paid["payments"]
    assert recorded["app"] == "xero"
    assert recorded["external_id"] == full_payment
    assert money(recorded["amount"]) == money(full["total"])
    assert recorded["paid_on"] == "2026-11-23"
    assert recorded["reference"] == "EFT 4411"
    assert paid["status"] == "paid"
    part_paid = loc8_invoice(emulated, part["id"])
    assert [p["external_id"] for p in part_paid["payments"]] == [part_payment]
    assert part_paid["status"] == "issued"
    assert money(part_paid["amount_due"]) == money(part["total"]) - Decimal("50.00")

    # Another run, and one that reads every payment again: still one payment each.
    again = sync(emulated, integration_id)
    assert again["counts"]["payments"]["created"] == 0
    emulated.container.cursors.delete(integration_id, PAYMENTS_CURSOR)
    assert sync(emulated, integration_id)["status"] == "SUCCEEDED"
    assert len(loc8_invoice(emulated, full["id"])["payments"]) == 1
    assert len(loc8_invoice(emulated, part["id"])["payments"]) == 1
    # Loc8's echo (a payment and a status change) is not sent back to Xero.
    assert again["counts"]["invoices"]["updated"] == 0


def test_an_invoice_voided_in_xero_voids_loc8s_and_nothing_is_sent_back(emulated):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = unpaid_issued_invoices(emulated)[0]
    app = service_app(emulated, integration_id)
    [current] = app.find_invoices([invoice["number"]])
    [voided] = app.update_invoices(
        [current.model_copy(update={"status": "VOIDED"})], "voided-in-xero"
    )
    assert voided.ok, voided.errors

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_invoice(emulated, invoice["id"])["status"] == "voided"
    assert run["counts"]["invoices"]["updated"] == 1
    posts = emulated.xero.calls["POST /api.xro/2.0/Invoices"]
    after = sync(emulated, integration_id)
    assert after["status"] == "SUCCEEDED", after["errors"]
    assert emulated.xero.calls["POST /api.xro/2.0/Invoices"] == posts
    assert xero_invoice(emulated, invoice["number"])["Status"] == "VOIDED"


def test_a_draft_deleted_in_xero_voids_loc8s(emulated):
    integration_id, _ = activate(emulated)
    invoice = unpaid_issued_invoices(emulated)[0]
    app = service_app(emulated, integration_id)
    [current] = app.find_invoices([invoice["number"]])
    [deleted] = app.update_invoices(
        [current.model_copy(update={"status": "DELETED"})], "deleted-in-xero"
    )
    assert deleted.ok, deleted.errors

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_invoice(emulated, invoice["id"])["status"] == "voided"


def test_a_payment_deleted_in_xero_is_reported_for_loc8_to_reverse(emulated):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = unpaid_issued_invoices(emulated)[0]
    payment_id = pay_in_xero(emulated, invoice["number"], "20.00", "Card")
    sync(emulated, integration_id)
    app = service_app(emulated, integration_id)
    app._call(  # someone deletes the payment in Xero
        "POST",
        f"Payments/{payment_id}",
        operation="delete_payment",
        json_body={"Status": "DELETED"},
    )

    run = sync(emulated, integration_id)

    assert run["status"] == "PARTIAL"
    [error] = [e for e in run["errors"] if e["domain"] == "payments"]
    assert error["record"] == invoice["number"]
    assert "deleted in Xero" in error["message"]
    assert len(loc8_invoice(emulated, invoice["id"])["payments"]) == 1  # Loc8 keeps it
    assert sync(emulated, integration_id)["status"] == "SUCCEEDED"  # reported once


def test_payments_on_invoices_the_service_did_not_send_are_left_alone(emulated):
    # Xero's demo company has a paid invoice of its own (Boom FM); it has no Loc8 twin.
    _integration_id, run = activate(emulated, status="AUTHORISED")
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"].get("payments", {}).get("created", 0) == 0
    assert all(
        not i["payments"] or i["payments"][0]["app"] == "loc8" for i in loc8_invoices(emulated)
    )
