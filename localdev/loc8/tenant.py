"""One Loc8 tenant's data and the rules Loc8 core applies when it changes.

Every public method takes the emulator's lock for the whole operation, so HTTP
requests and Python callers (seed, tests) see each change whole. Rule breaches raise
`Problem`, which the HTTP layer answers as problem+json.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from localdev.emukit import Clock
from localdev.loc8.idempotency import reply_store
from localdev.loc8.models import (
    Customer,
    Invoice,
    InvoiceLine,
    LineItem,
    Payment,
    Stamped,
    TaxType,
)
from localdev.loc8.money import line_totals, money_string
from localdev.loc8.problems import Problem, invalid, invalid_status, not_found, version_conflict
from localdev.loc8.schemas import (
    CustomerIn,
    ExternalRefIn,
    ExternalRefWriteIn,
    InvoiceIn,
    LineItemIn,
    PaymentIn,
    TaxTypeChangeIn,
    TaxTypeIn,
)
from localdev.loc8.serialize import (
    customer_json,
    invoice_json,
    line_item_json,
    tax_type_json,
)

TICK = timedelta(microseconds=1)
# Which status changes the integration may ask for (docs/loc8-core-api.yaml).
ALLOWED_STATUS_CHANGES = {
    "draft": {"paid", "voided"},
    "issued": {"paid", "voided"},
    "paid": set(),
    "voided": set(),
}


ID_NAMESPACE = uuid.UUID("6f1c9a52-3d7e-4b8a-9e21-5c0d4f7a8b13")


def _check_version(record: Stamped, version: int) -> None:
    if version != record.version:
        raise version_conflict(record.version)


class TenantState:
    def __init__(self, tenant_id: str, clock: Clock, lock: threading.RLock) -> None:
        self.tenant_id = tenant_id
        self.clock = clock
        self.lock = lock
        self.customers: dict[str, Customer] = {}
        self.line_items: dict[str, LineItem] = {}
        self.tax_types: dict[str, TaxType] = {}  # by code
        self.invoices: dict[str, Invoice] = {}
        self.payments: dict[tuple[str, str], Payment] = {}  # by (app, external_id)
        self.replies = reply_store(clock)
        self._last_stamp: datetime | None = None
        self._next_invoice_number = 1001
        self._ids_issued = 0

    def new_id(self, prefix: str) -> str:
        """Unique in the tenant and repeatable: the same operations give the same ids,
        so a re-seeded tenant looks the same every time."""
        with self.lock:
            self._ids_issued += 1
            name = f"{self.tenant_id}/{self._ids_issued}"
            return f"{prefix}_{uuid.uuid5(ID_NAMESPACE, name).hex[:24]}"

    def stamp(self, at: datetime | None = None) -> datetime:
        """The next updated_at: now (or `at`), but always after every earlier change.

        Strictly increasing stamps are what make keyset paging safe: a change can never
        land behind a cursor a client already holds.
        """
        with self.lock:
            moment = at or self.clock.now()
            if self._last_stamp is not None and moment <= self._last_stamp:
                moment = self._last_stamp + TICK
            self._last_stamp = moment
            return moment

    # Customers

    def customer(self, customer_id: str) -> Customer:
        with self.lock:
            found = self.customers.get(customer_id)
            if found is None:
                raise not_found("customer", customer_id)
            return found

    def create_customer(
        self, fields: CustomerIn, *, customer_id: str | None = None, at: datetime | None = None
    ) -> Customer:
        with self.lock:
            customer = Customer(
                id=customer_id or self.new_id("cus"),
                version=1,
                updated_at=self.stamp(at),
                fields=fields,
            )
            self.customers[customer.id] = customer
            return customer

    def update_customer(
        self, customer_id: str, fields: CustomerIn, version: int, *, at: datetime | None = None
    ) -> Customer:
        with self.lock:
            customer = self.customer(customer_id)
            if fields == customer.fields:
                return customer
            _check_version(customer, version)
            customer.fields = fields
            self._touch(customer, at)
            return customer

    # Line items

    def line_item(self, line_item_id: str) -> LineItem:
        with self.lock:
            found = self.line_items.get(line_item_id)
            if found is None:
                raise not_found("line item", line_item_id)
            return found

    def create_line_item(
        self, fields: LineItemIn, *, line_item_id: str | None = None, at: datetime | None = None
    ) -> LineItem:
        with self.lock:
            self._check_line_item(fields, None)
            item = LineItem(
                id=line_item_id or self.new_id("li"),
                version=1,
                updated_at=self.stamp(at),
                fields=fields,
            )
            self.line_items[item.id] = item
            return item

    def update_line_item(
        self, line_item_id: str, fields: LineItemIn, version: int, *, at: datetime | None = None
    ) -> LineItem:
        with self.lock:
            item = self.line_item(line_item_id)
            if fields == item.fields:
                return item
            _check_version(item, version)
            self._check_line_item(fields, item)
            item.fields = fields
            self._touch(item, at)
            return item

    def _check_line_item(self, fields: LineItemIn, existing: LineItem | None) -> None:
        problems: list[tuple[str, str]] = []
        code = fields.code.casefold()
        clash = next(
            (
                other
                for other in self.line_items.values()
                if other.fields.code.casefold() == code and other is not existing
            ),
            None,
        )
        if clash is not None:
            problems.append(("code", f"already used by line item {clash.id}"))
        kept = existing is not None and existing.fields.tax_type_code == fields.tax_type_code
        if not kept:
            problems.extend(self._tax_type_problems("tax_type_code", fields.tax_type_code))
        if problems:
            raise invalid(problems)

    # Tax types

    def tax_type(self, tax_type_id: str) -> TaxType:
        with self.lock:
            found = next((t for t in self.tax_types.values() if t.id == tax_type_id), None)
            if found is None:
                raise not_found("tax type", tax_type_id)
            return found

    def create_tax_type(self, fields: TaxTypeIn, *, at: datetime | None = None) -> TaxType:
        with self.lock:
            code = fields.code.casefold()
            clash = next(
                (t for t in self.tax_types.values() if t.fields.code.casefold() == code), None
            )
            if clash is not None:
                raise invalid([("code", f"already used by tax type {clash.id}")])
            created = TaxType(
                id=self.new_id("tax"),
                version=1,
                updated_at=self.stamp(at),
                fields=fields,
                active=True,
            )
            self.tax_types[fields.code] = created
            return created

    def update_tax_type(
        self, tax_type_id: str, change: TaxTypeChangeIn, *, at: datetime | None = None
    ) -> TaxType:
        """Name and rate only: the id, code and active flag stay, so every line item and
        invoice line that names the type keeps a valid tax type."""
        with self.lock:
            tax_type = self.tax_type(tax_type_id)
            sent = {name: getattr(change, name) for name in change.model_fields_set}
            fields = tax_type.fields.model_copy(update=sent)
            if fields != tax_type.fields:
                tax_type.fields = fields
                self._touch(tax_type, at)
            return tax_type

    def deactivate_tax_type(self, code: str, *, at: datetime | None = None) -> TaxType:
        """A Loc8 user retires a tax type (emulator controls and tests only)."""
        with self.lock:
            tax_type = self.tax_types.get(code)
            if tax_type is None:
                raise not_found("tax type", code)
            if tax_type.active:
                tax_type.active = False
                self._touch(tax_type, at)
            return tax_type

    def sorted_tax_types(self) -> list[TaxType]:
        with self.lock:
            return sorted(self.tax_types.values(), key=lambda tax_type: tax_type.fields.code)

    def _tax_type_problems(self, field: str, code: str) -> list[tuple[str, str]]:
        tax_type = self.tax_types.get(code)
        if tax_type is None:
            return [(field, f"no tax type with code {code!r}")]
        if not tax_type.active:
            return [(field, f"tax type {code!r} is not active")]
        return []

    # Invoices

    def invoice(self, invoice_id: str) -> Invoice:
        with self.lock:
            found = self.invoices.get(invoice_id)
            if found is None:
                raise not_found("invoice", invoice_id)
            return found

    def add_invoice(
        self, draft: InvoiceIn, *, invoice_id: str | None = None, at: datetime | None = None
    ) -> Invoice:
        """Create an invoice as a Loc8 user would (not part of the service API)."""
        with self.lock:
            number = draft.number or self._next_number()
            self._check_invoice(draft, number, None)
            invoice = Invoice(
                id=invoice_id or self.new_id("inv"),
                version=1,
                updated_at=self.stamp(at),
                number=number,
                customer_id=draft.customer_id,
                reference=draft.reference,
                issue_date=draft.issue_date,
                due_date=draft.due_date,
                status=draft.status,
                currency=draft.currency,
                lines=self._lines(draft),
            )
            self.invoices[invoice.id] = invoice
            return invoice

    def edit_invoice(
        self, invoice_id: str, draft: InvoiceIn, *, at: datetime | None = None
    ) -> Invoice:
        """A Loc8 user edits a draft or issued invoice (lines, dates, customer, status)."""
        with self.lock:
            invoice = self.invoice(invoice_id)
            if invoice.status not in ("draft", "issued"):
                raise invalid_status(f"A {invoice.status} invoice cannot be edited.")
            number = draft.number or invoice.number
            self._check_invoice(draft, number, invoice)
            invoice.number = number
            invoice.customer_id = draft.customer_id
            invoice.reference = draft.reference
            invoice.issue_date = draft.issue_date
            invoice.due_date = draft.due_date
            invoice.status = draft.status
            invoice.currency = draft.currency
            invoice.lines = self._lines(draft)
            self._touch(invoice, at)
            return invoice

    def set_external_ref(self, invoice_id: str, app: str, ref: ExternalRefWriteIn) -> Invoice:
        with self.lock:
            invoice = self.invoice(invoice_id)
            wanted = ExternalRefIn(app=app, external_id=ref.external_id, url=ref.url)
            if invoice.external_refs.get(app) != wanted:
                invoice.external_refs[app] = wanted
                self._touch(invoice)
            return invoice

    def record_payment(
        self, invoice_id: str, draft: PaymentIn, *, at: datetime | None = None
    ) -> tuple[Payment, bool]:
        """The payment, and whether it was new (False: recorded before, same details)."""
        with self.lock:
            invoice = self.invoice(invoice_id)
            key = (draft.app, draft.external_id)
            earlier = self.payments.get(key)
            if earlier is not None:
                same = (
                    earlier.invoice_id == invoice.id
                    and earlier.amount == draft.amount
                    and earlier.paid_on == draft.paid_on
                    and earlier.reference == draft.reference
                )
                if not same:
                    raise Problem(
                        409,
                        "payment-conflict",
                        "Payment already recorded differently",
                        f"Payment {draft.external_id!r} from {draft.app} is already recorded "
                        f"on invoice {earlier.invoice_id} with other details.",
                    )
                return earlier, False
            if invoice.status == "voided":
                raise invalid_status("A voided invoice takes no payments.")
            if draft.amount > invoice.amount_due:
                raise invalid(
                    [("amount", f"more than the amount due ({money_string(invoice.amount_due)})")]
                )
            stamp = self.stamp(at)
            payment = Payment(
                id=self.new_id("pay"),
                invoice_id=invoice.id,
                app=draft.app,
                external_id=draft.external_id,
                amount=draft.amount,
                paid_on=draft.paid_on,
                reference=draft.reference,
                recorded_at=stamp,
            )
            invoice.payments.append(payment)
            self.payments[key] = payment
            invoice.version += 1
            invoice.updated_at = stamp
            return payment, True

    def set_status(
        self, invoice_id: str, status: str, version: int, *, at: datetime | None = None
    ) -> Invoice:
        with self.lock:
            invoice = self.invoice(invoice_id)
            if invoice.status == status:
                return invoice
            _check_version(invoice, version)
            if status not in ALLOWED_STATUS_CHANGES[invoice.status]:
                raise invalid_status(f"A {invoice.status} invoice cannot become {status}.")
            invoice.status = status
            self._touch(invoice, at)
            return invoice

    def _next_number(self) -> str:
        taken = {invoice.number for invoice in self.invoices.values()}
        while f"INV-{self._next_invoice_number}" in taken:
            self._next_invoice_number += 1
        number = f"INV-{self._next_invoice_number}"
        self._next_invoice_number += 1
        return number

    def _check_invoice(self, draft: InvoiceIn, number: str, existing: Invoice | None) -> None:
        problems: list[tuple[str, str]] = []
        if draft.customer_id not in self.customers:
            problems.append(("customer_id", f"no customer {draft.customer_id!r}"))
        if draft.due_date < draft.issue_date:
            problems.append(("due_date", "is before the issue date"))
        if any(i.number == number and i is not existing for i in self.invoices.values()):
            problems.append(("number", f"{number} is already used"))
        for index, line in enumerate(draft.lines):
            if line.line_item_id is not None and line.line_item_id not in self.line_items:
                problems.append((f"lines[{index}].line_item_id", "no such line item"))
            problems.extend(
                self._tax_type_problems(f"lines[{index}].tax_type_code", line.tax_type_code)
            )
        if problems:
            raise invalid(problems)

    def _lines(self, draft: InvoiceIn) -> list[InvoiceLine]:
        lines = []
        for line in draft.lines:
            rate: Decimal = self.tax_types[line.tax_type_code].fields.rate
            amount, tax = line_totals(line.quantity, line.unit_price, rate)
            lines.append(
                InvoiceLine(
                    id=self.new_id("ln"),
                    line_item_id=line.line_item_id,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    tax_type_code=line.tax_type_code,
                    line_amount=amount,
                    tax_amount=tax,
                )
            )
        return lines

    def _touch(self, record: Stamped, at: datetime | None = None) -> None:
        record.version += 1
        record.updated_at = self.stamp(at)

    # Read-back

    def snapshot(self) -> dict[str, Any]:
        """Everything in the tenant, as the API would show it, oldest change first."""

        def ordered(records: Sequence[Stamped]) -> list[Any]:
            return sorted(records, key=lambda record: (record.updated_at, record.id))

        with self.lock:
            return {
                "tenant_id": self.tenant_id,
                "customers": [customer_json(c) for c in ordered(list(self.customers.values()))],
                "line_items": [line_item_json(i) for i in ordered(list(self.line_items.values()))],
                "tax_types": [tax_type_json(t) for t in self.sorted_tax_types()],
                "invoices": [invoice_json(i) for i in ordered(list(self.invoices.values()))],
            }

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "customers": len(self.customers),
                "line_items": len(self.line_items),
                "tax_types": len(self.tax_types),
                "invoices": len(self.invoices),
            }
