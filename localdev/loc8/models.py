"""Records held per tenant: plain dataclasses, changed only under the emulator's lock.

Editable fields are kept as the frozen input models, so "did this write change
anything?" is a plain equality test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from localdev.loc8.schemas import CustomerIn, ExternalRefIn, LineItemIn, TaxTypeIn


@dataclass
class Stamped:
    id: str
    version: int
    updated_at: datetime


@dataclass
class Customer(Stamped):
    fields: CustomerIn


@dataclass
class LineItem(Stamped):
    fields: LineItemIn


@dataclass
class TaxType(Stamped):
    fields: TaxTypeIn
    active: bool


@dataclass(frozen=True)
class InvoiceLine:
    id: str
    line_item_id: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_type_code: str
    line_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Payment:
    id: str
    invoice_id: str
    app: str
    external_id: str
    amount: Decimal
    paid_on: date
    reference: str | None
    recorded_at: datetime


@dataclass
class Invoice(Stamped):
    number: str
    customer_id: str
    reference: str | None
    issue_date: date
    due_date: date
    status: str
    currency: str
    lines: list[InvoiceLine]
    payments: list[Payment] = field(default_factory=list)
    external_refs: dict[str, ExternalRefIn] = field(default_factory=dict)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_amount for line in self.lines), Decimal("0.00"))

    @property
    def total_tax(self) -> Decimal:
        return sum((line.tax_amount for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.total_tax

    @property
    def amount_paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal("0.00"))

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid
