"""Payments and paid/voided status, the app → Loc8, for the invoices the service sent:
once, through Xero's emulator and Fake Books (app_side)."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.accounting import AppInvoiceStatus
from chalicelib.domain.app_profile import InvoiceRemoval
from tests.support.emulated import Emulated
from tests.support.invoices import (
    activate,
    app_invoice,
    loc8_invoice,
    loc8_invoices,
    money,
    service_app,
)
from tests.support.sync_runs import sync

PAYMENTS_CURSOR = "payments#app"


def unpaid_issued_invoices(emulated: Emulated) -> list[dict]:
    return [
        i
        for i in loc8_invoices(emulated)
        if i["status"] == "issued" and Decimal(i["amount_paid"]) == 0
    ]


def test_a_payment_in_the_app_is_recorded_once_in_loc8_and_paid_status_lands(emulated, app_side):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    full, part = unpaid_issued_invoices(emulated)[:2]
    full_payment = app_side.pay(app_invoice(app_side, full["number"]).id, money(full["total"]))
    part_payment = app_side.pay(app_invoice(app_side, part["number"]).id, Decimal("50.00"))

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts"]["payments"]["created"] == 2
    paid = loc8_invoice(emulated, full["id"])
    [recorded] = paid["payments"]
    assert recorded["app"] == "xero"  # the integration's app, as Loc8 knows it
    assert recorded["external_id"] == full_payment
    assert money(recorded["amount"]) == money(full["total"])
    assert recorded["paid_on"] == "2026-11-22"
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
    # Loc8's echo (a payment and a status change) is not sent back to the app.
    assert again["counts"]["invoices"]["updated"] == 0


def test_an_invoice_taken_out_in_the_app_voids_loc8s_and_nothing_is_sent_back(emulated, app_side):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = unpaid_issued_invoices(emulated)[0]
    app = service_app(emulated, integration_id)
    [current] = app.find_invoices([invoice["number"]])
    # Voided or deleted, whichever the app does to an approved invoice.
    removed_status = (
        AppInvoiceStatus.VOIDED
        if app.profile.removal_for(approved=True) is InvoiceRemoval.VOID
        else AppInvoiceStatus.DELETED
    )
    [removed] = app.update_invoices(
        [current.model_copy(update={"status": removed_status})], "removed-in-the-app"
    )
    assert removed.ok, removed.errors

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_invoice(emulated, invoice["id"])["status"] == "voided"
    assert run["counts"]["invoices"]["updated"] == 1
    writes = app_side.reads()["writes"]
    after = sync(emulated, integration_id)
    assert after["status"] == "SUCCEEDED", after["errors"]
    assert app_side.reads()["writes"] == writes
    [still] = [i for i in app_side.invoices(deleted=True) if i.number == invoice["number"]]
    assert still.status is removed_status


def test_a_draft_deleted_in_xero_voids_loc8s(emulated):
    integration_id, _ = activate(emulated)
    invoice = unpaid_issued_invoices(emulated)[0]
    app = service_app(emulated, integration_id)
    [current] = app.find_invoices([invoice["number"]])
    [deleted] = app.update_invoices(
        [current.model_copy(update={"status": AppInvoiceStatus.DELETED})], "deleted-in-xero"
    )
    assert deleted.ok, deleted.errors

    run = sync(emulated, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert loc8_invoice(emulated, invoice["id"])["status"] == "voided"


def test_a_payment_deleted_in_the_app_is_reported_for_loc8_to_reverse(emulated, app_side):
    integration_id, _ = activate(emulated, status="AUTHORISED")
    invoice = unpaid_issued_invoices(emulated)[0]
    payment_id = app_side.pay(app_invoice(app_side, invoice["number"]).id, Decimal("20.00"))
    sync(emulated, integration_id)
    app_side.delete_payment(payment_id)

    run = sync(emulated, integration_id)

    assert run["status"] == "PARTIAL"
    [error] = [e for e in run["errors"] if e["domain"] == "payments"]
    assert error["record"] == invoice["number"]
    assert f"deleted in {app_side.profile.name}" in error["message"]
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
