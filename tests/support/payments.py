"""Payments on both sides of a payments sync: taken in Loc8 (as a Loc8 user records
them), and as the app (Xero's emulator or Fake Books) holds them on its invoices."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Protocol

from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from localdev.loc8.schemas import PaymentIn
from tests.support.emulated import TENANT, Emulated
from tests.support.invoices import (
    AppSide,
    XeroSide,
    app_invoice,
    loc8_invoices,
    money,
)

# The account payments go into: a bank account in Xero's demo company and in Fake Books.
BANK = "090"
PUT_PAYMENTS = "PUT /api.xro/2.0/Payments"
_receipts = itertools.count(1)


def taken_in_loc8(invoice: dict) -> list[dict]:
    """The invoice's payments recorded in Loc8 itself (not imported from an app)."""
    return [p for p in invoice["payments"] if p["app"] == "loc8"]


def with_loc8_payments(emulated: Emulated) -> list[dict]:
    """Sent invoices (issued or paid) with payments taken in Loc8."""
    return [
        i for i in loc8_invoices(emulated) if i["status"] in ("issued", "paid") and taken_in_loc8(i)
    ]


def record_in_loc8(
    emulated: Emulated, invoice_id: str, amount: Decimal, on: date, reference: str = "EFT"
) -> str:
    """A Loc8 user records a payment taken on site; its Loc8 id."""
    payment, _created = emulated.loc8.tenant(TENANT).record_payment(
        invoice_id,
        PaymentIn(
            app="loc8",
            external_id=f"rcpt-test-{next(_receipts)}",
            amount=amount,
            paid_on=on,
            reference=reference,
        ),
    )
    return payment.id


def app_payments(side: AppSide, number: str) -> list[tuple[Decimal, str]]:
    """(amount, date) of each live payment on the app invoice with this number."""
    return sorted((money(p.amount), p.date.isoformat()) for p in app_invoice(side, number).payments)


def loc8_payments(invoice: dict) -> list[tuple[Decimal, str]]:
    return sorted((money(p["amount"]), p["paid_on"]) for p in taken_in_loc8(invoice))


class PaymentFaults(Protocol):
    def creates(self) -> int:
        """Payment write requests so far."""

    def lose_next_answer(self) -> None: ...

    def fail_next(self, error: str) -> None:
        """ "unavailable" or "rate_limited" (37 seconds)."""


class XeroPaymentFaults:
    def __init__(self, side: XeroSide) -> None:
        self.xero = side.xero

    def creates(self) -> int:
        return self.xero.calls[PUT_PAYMENTS]

    def lose_next_answer(self) -> None:
        self.xero.faults.add("PUT", "/api.xro/2.0/Payments", mode="commit_then_drop")

    def fail_next(self, error: str) -> None:
        if error == "unavailable":
            self.xero.faults.add("PUT", "/api.xro/2.0/Payments", status=500)
        else:
            self.xero.faults.add(
                "PUT",
                "/api.xro/2.0/Payments",
                status=429,
                headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
            )


class FakeBooksPaymentFaults:
    def __init__(self, side: AppSide) -> None:
        self.app = side.app  # type: ignore[attr-defined]

    def creates(self) -> int:
        return self.app.calls["create_payments"]

    def lose_next_answer(self) -> None:
        self.app.lose_next_answer("create_payments")

    def fail_next(self, error: str) -> None:
        self.app.fail_next(
            "create_payments",
            ProviderUnavailable("Fake Books is down.")
            if error == "unavailable"
            else RateLimited("Slow down.", retry_after_seconds=37, problem="minute"),
        )


def payment_faults(side: AppSide) -> PaymentFaults:
    if isinstance(side, XeroSide):
        return XeroPaymentFaults(side)
    return FakeBooksPaymentFaults(side)
