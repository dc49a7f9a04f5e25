"""Fake Books: an in-memory accounting app with limits unlike Xero's, for the syncers' tests.

A syncer test that passes through Xero's emulator and through this app holds no rule
hard-wired to one app. `FakeApp` implements the `AccountingApp` port for one
organisation, with its own `FAKE_BOOKS_PROFILE`:

- writes take at most 3 records (more is a `ValueError`, as a real app's 4xx would be)
  and answer each one, in order, with a typed `WriteFailure` reason;
- no draft invoices (a DRAFT is refused as INVALID); a voided Loc8 invoice is deleted
  whether approved or not (VOIDED is refused);
- names up to 20 characters, item codes up to 5; longer ones are refused as INVALID;
- no idempotency keys: a write sent twice is applied twice (numbers and names are
  still unique, so a second create is refused as NUMBER_TAKEN / NAME_TAKEN);
- real paging, oldest change first, `page_size` records a page (10 unless set), filtered by
  "changed after `modified_since`" (whole seconds, like an HTTP date);
- a rate budget of `calls_per_minute` on the test's clock; a call past it raises
  `RateLimited`.

Records are the domain's models (`AppInvoice`, `AppContact`...), kept in dicts by id:
`invoices`, `contacts`, `items`, `payments`; `accounts` and `tax_rates` are the chart.
Every call is counted by operation name in `calls` (e.g. `calls["create_invoices"]`).

Payments: `create_payments` records each on an approved invoice with an amount due,
into an active account that accepts payments ("090"); the invoice lists its live
payments and is PAID once nothing is due; an invoice with payments cannot be changed
or deleted (HAS_PAYMENTS). A deleted payment is listed as a tombstone, its id alone
(no invoice, amount or date), as an app's change feed reports deletions.

What someone does in the app, for a test to stage: `add_contact`, `add_invoice`,
`add_payment`, `delete_payment`, `set_account_status`. Faults: `fail_next(operation,
error)` raises before anything is applied; `lose_next_answer(operation)` applies the
write, then raises `ProviderUnavailable` as if the reply was lost;
`shorten_next_answer(operation)` applies it and leaves the last record unanswered.

To run the service's syncers through it: `install_fake_books(emulated)` (or the
`fake_books` fixture: import it into the test module) keeps Xero's emulator for the
OAuth connection and answers every `app_for` with one `FakeApp`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from chalicelib.domain.accounting import (
    Account,
    AccountClass,
    AppContact,
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    AppItem,
    AppPage,
    AppPayment,
    AppPaymentDraft,
    RateBudget,
    RecordStatus,
    TaxRate,
    WriteResult,
)
from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval, WriteFailure
from chalicelib.domain.errors import ProviderUnavailable, RateLimited

Record = TypeVar("Record")

FAKE_BOOKS_PROFILE = AppProfile(
    key="fakebooks",
    name="Fake Books",
    write_batch_size=3,
    lookup_batch_size=4,
    contact_name_max_length=20,
    item_name_max_length=20,
    item_code_max_length=5,
    account_code_max_length=5,
    phone_max_length=20,
    has_draft_invoices=False,
    remove_unapproved_invoice=InvoiceRemoval.DELETE,
    remove_approved_invoice=InvoiceRemoval.DELETE,
    idempotency_key_lifetime=None,
    invoice_url_template="https://books.example/invoices/{id}",
    min_calls_left=2,
)

# Its own tax codes (named like the Loc8 demo's, so they translate by name).
FAKE_BOOKS_TAX_CODES = {"GST on Income": "S10", "GST Free Income": "S0"}


def fake_books_accounts() -> list[Account]:
    def account(
        code: str, name: str, cls: AccountClass, active: bool = True, payments: bool = False
    ) -> Account:
        status = RecordStatus.ACTIVE if active else RecordStatus.ARCHIVED
        return Account(
            code=code,
            name=name,
            type=cls.value,
            account_class=cls,
            status=status,
            accepts_payments=payments,
        )

    return [
        account("090", "Bank", AccountClass.ASSET, payments=True),
        account("095", "Old bank", AccountClass.ASSET, active=False, payments=True),
        account("120", "Receivables", AccountClass.ASSET),
        account("200", "Sales", AccountClass.REVENUE),
        account("210", "Materials sales", AccountClass.REVENUE),
        account("260", "Other revenue", AccountClass.REVENUE),
        account("270", "Old sales", AccountClass.REVENUE, active=False),
        account("400", "Advertising", AccountClass.EXPENSE),
    ]


def fake_books_tax_rates() -> list[TaxRate]:
    return [
        TaxRate(code="S10", name="GST on Income", rate=Decimal(10), status=RecordStatus.ACTIVE),
        TaxRate(code="S0", name="GST Free Income", rate=Decimal(0), status=RecordStatus.ACTIVE),
        TaxRate(
            code="P10",
            name="GST on Expenses",
            rate=Decimal(10),
            status=RecordStatus.ACTIVE,
            applies_to_revenue=False,
        ),
        TaxRate(
            code="S12", name="Luxury (old)", rate=Decimal("12.5"), status=RecordStatus.ARCHIVED
        ),
    ]


class _Refused(Exception):
    def __init__(self, reason: WriteFailure, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeApp:
    """One organisation in Fake Books; see the module's docstring."""

    clock: Callable[[], datetime] = _utc_now
    page_size: int = 10
    calls_per_minute: int = 1000
    accounts_list: list[Account] = field(default_factory=fake_books_accounts)
    tax_rates_list: list[TaxRate] = field(default_factory=fake_books_tax_rates)
    invoices: dict[str, AppInvoice] = field(default_factory=dict)
    contacts: dict[str, AppContact] = field(default_factory=dict)
    items_by_id: dict[str, AppItem] = field(default_factory=dict)
    payments: dict[str, AppPayment] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    _profile: AppProfile = FAKE_BOOKS_PROFILE
    _window: list[datetime] = field(default_factory=list)
    _faults: dict[str, Exception] = field(default_factory=dict)
    _lose: set[str] = field(default_factory=set)
    _short: set[str] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _tick: int = 0

    # --- the port: profile and rate budget ------------------------------------------

    @property
    def profile(self) -> AppProfile:
        return self._profile

    def rate_budget(self) -> RateBudget:
        self._expire()
        if not self._window:
            return RateBudget(calls_left=self.calls_per_minute, refill_seconds=0)
        refill = 60 - (self.clock() - self._window[0]).total_seconds()
        return RateBudget(
            calls_left=self.calls_per_minute - len(self._window), refill_seconds=max(refill, 0)
        )

    # --- settings -------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        self._call("accounts")
        return list(self.accounts_list)

    def tax_rates(self) -> list[TaxRate]:
        self._call("tax_rates")
        return list(self.tax_rates_list)

    # --- reads ----------------------------------------------------------------------

    def contact_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppContact]]:
        return self._pages("contact_pages", self.contacts, modified_since, start_page)

    def invoice_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppInvoice]]:
        return self._pages("invoice_pages", self.invoices, modified_since, start_page)

    def payment_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppPayment]]:
        return self._pages("payment_pages", self.payments, modified_since, start_page)

    def find_contacts(self, *, names: list[str], emails: list[str]) -> list[AppContact]:
        if len(names) > self._profile.lookup_batch_size or len(emails) > (
            self._profile.lookup_batch_size
        ):
            raise ValueError("Fake Books looks up at most 4 names and 4 emails at once.")
        self._call("find_contacts")
        wanted_names = {name.casefold() for name in names}
        wanted_emails = {email.casefold() for email in emails}
        return [
            contact
            for contact in self.contacts.values()
            if contact.is_active
            and (
                contact.name.casefold() in wanted_names
                or (contact.email or "").casefold() in wanted_emails
            )
        ]

    def items(self, modified_since: datetime | None = None) -> list[AppItem]:
        self._call("items")
        return [
            item
            for item in self.items_by_id.values()
            if modified_since is None or _changed_after(item.updated_at, modified_since)
        ]

    def expect_changes_since(self, since: datetime | None) -> None:
        # Each kind of record is its own read here; nothing to read ahead.
        return None

    def item_pages(self, modified_since: datetime | None) -> Iterator[AppPage[AppItem]]:
        yield AppPage(records=self.items(modified_since), page=1, last=True)

    def find_invoices(self, numbers: list[str]) -> list[AppInvoice]:
        self._call("find_invoices")
        wanted = {number.casefold() for number in numbers}
        return [i for i in self.invoices.values() if i.number.casefold() in wanted]

    def get_invoices(self, ids: list[str]) -> list[AppInvoice]:
        self._call("get_invoices")
        return [self.invoices[i] for i in ids if i in self.invoices]

    # --- writes ---------------------------------------------------------------------

    def create_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._write("create_contacts", drafts, self._create_contact)

    def update_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._write("update_contacts", drafts, self._update_contact)

    def save_items(self, items: list[AppItem], idempotency_key: str) -> list[WriteResult[AppItem]]:
        return self._write("save_items", items, self._save_item)

    def create_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        return self._write("create_invoices", invoices, self._create_invoice)

    def update_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        return self._write("update_invoices", invoices, self._update_invoice)

    def create_payments(
        self, payments: list[AppPaymentDraft], idempotency_key: str
    ) -> list[WriteResult[AppPayment]]:
        return self._write("create_payments", payments, self._create_payment)

    # --- what someone does in the app, and faults -----------------------------------

    def add_contact(self, name: str, email: str | None = None) -> AppContact:
        contact = AppContact(
            id=self._new_id("contact"), name=name, email=email, updated_at=self._stamp()
        )
        self.contacts[contact.id] = contact
        return contact

    def add_invoice(self, invoice: AppInvoice) -> AppInvoice:
        """An invoice made in the app itself (any number, even one Loc8 uses); its contact
        is a customer from then on."""
        stored = invoice.model_copy(
            update={"id": self._new_id("invoice"), "updated_at": self._stamp()}
        )
        self.invoices[stored.id or ""] = stored
        self._mark_role(stored.contact_id, "is_customer")
        return stored

    def add_bill(self, contact_id: str) -> None:
        """A bill from this contact entered in the app: it is a supplier from then on."""
        self._mark_role(contact_id, "is_supplier")

    def _mark_role(self, contact_id: str, role: str) -> None:
        # As in Xero, a contact's roles follow its transactions and the change of role is
        # not a change to the contact (it does not move the change time).
        contact = self.contacts.get(contact_id)
        if contact is not None:
            self.contacts[contact_id] = contact.model_copy(update={role: True})

    def add_payment(
        self, invoice_id: str, amount: Decimal, on: date, reference: str | None = None
    ) -> AppPayment:
        """A payment someone records in the app (no checks: the test stages what it wants)."""
        return self._apply_payment(invoice_id, amount, on, reference)

    def delete_payment(self, payment_id: str) -> None:
        payment = self.payments[payment_id]
        self.payments[payment_id] = payment.model_copy(
            update={
                "status": RecordStatus.ARCHIVED,
                "updated_at": self._stamp(),
                # A tombstone: the id alone, as a change feed lists a deletion.
                "invoice_id": "",
                "amount": Decimal(0),
            }
        )
        invoice = self.invoices[payment.invoice_id]
        paid = (invoice.amount_paid or Decimal(0)) - payment.amount
        status = AppInvoiceStatus.APPROVED if invoice.status is AppInvoiceStatus.PAID else None
        self._touch_invoice(
            invoice,
            amount_paid=paid,
            amount_due=(invoice.total or Decimal(0)) - paid,
            status=status or invoice.status,
            payments=[p for p in invoice.payments if p.id != payment_id],
        )

    def _apply_payment(
        self, invoice_id: str, amount: Decimal, on: date, reference: str | None
    ) -> AppPayment:
        invoice = self.invoices[invoice_id]
        payment = AppPayment(
            id=self._new_id("payment"),
            invoice_id=invoice_id,
            amount=amount,
            date=on,
            reference=reference,
            updated_at=self._stamp(),
        )
        paid = (invoice.amount_paid or Decimal(0)) + amount
        total = invoice.total or Decimal(0)
        status = AppInvoiceStatus.PAID if paid >= total else invoice.status
        self._touch_invoice(
            invoice,
            amount_paid=paid,
            amount_due=total - paid,
            status=status,
            payments=[*invoice.payments, payment],
        )
        self.payments[payment.id] = payment
        return payment

    def set_account_status(self, code: str, status: RecordStatus) -> None:
        self.accounts_list = [
            a.model_copy(update={"status": status}) if a.code == code else a
            for a in self.accounts_list
        ]

    def fail_next(self, operation: str, error: Exception) -> None:
        self._faults[operation] = error

    def lose_next_answer(self, operation: str) -> None:
        self._lose.add(operation)

    def shorten_next_answer(self, operation: str) -> None:
        """Apply the next write, then answer for all its records but the last."""
        self._short.add(operation)

    def sales_invoices(self) -> list[AppInvoice]:
        """Every invoice not deleted, oldest first."""
        return [i for i in self.invoices.values() if i.status is not AppInvoiceStatus.DELETED]

    # --- the app's rules ------------------------------------------------------------

    def _create_contact(self, draft: AppContactDraft) -> AppContact:
        self._check_contact(draft, None)
        contact = AppContact(
            id=self._new_id("contact"),
            name=draft.name,
            email=draft.email,
            phone=draft.phone,
            is_customer=True,
            updated_at=self._stamp(),
        )
        self.contacts[contact.id] = contact
        return contact

    def _update_contact(self, draft: AppContactDraft) -> AppContact:
        current = self.contacts.get(draft.id or "")
        if current is None:
            raise _Refused(WriteFailure.NOT_FOUND, "No such contact.")
        if not current.is_active:
            raise _Refused(WriteFailure.ARCHIVED_REFERENCE, "The contact is archived.")
        self._check_contact(draft, current.id)
        updated = current.model_copy(
            update={
                "name": draft.name,
                "email": draft.email,
                "phone": draft.phone,
                "updated_at": self._stamp(),
            }
        )
        self.contacts[current.id] = updated
        return updated

    def _check_contact(self, draft: AppContactDraft, own_id: str | None) -> None:
        if not draft.name or len(draft.name) > self._profile.contact_name_max_length:
            raise _Refused(WriteFailure.INVALID, "A name has 1 to 20 characters.")
        if draft.phone and len(draft.phone) > self._profile.phone_max_length:
            raise _Refused(WriteFailure.INVALID, "A phone number has at most 20 characters.")
        for other in self.contacts.values():
            if other.id != own_id and other.is_active and other.name == draft.name:
                raise _Refused(WriteFailure.NAME_TAKEN, f"Name '{draft.name}' is in use.")

    def _save_item(self, item: AppItem) -> AppItem:
        if not item.code or len(item.code) > self._profile.item_code_max_length:
            raise _Refused(WriteFailure.INVALID, "An item code has 1 to 5 characters.")
        if len(item.name) > self._profile.item_name_max_length:
            raise _Refused(WriteFailure.INVALID, "An item name has at most 20 characters.")
        same_code = next((i for i in self.items_by_id.values() if i.code == item.code), None)
        if item.id and item.id not in self.items_by_id:
            raise _Refused(WriteFailure.NOT_FOUND, "No such item.")
        if same_code is not None and same_code.id != (item.id or same_code.id):
            raise _Refused(WriteFailure.NUMBER_TAKEN, f"Item code '{item.code}' is in use.")
        self._check_lines_refs(item.account_code, item.tax_type)
        item_id = item.id or (same_code.id if same_code else None) or self._new_id("item")
        stored = item.model_copy(update={"id": item_id, "updated_at": self._stamp()})
        self.items_by_id[item_id] = stored
        return stored

    def _create_invoice(self, invoice: AppInvoice) -> AppInvoice:
        if invoice.id:
            raise _Refused(WriteFailure.INVALID, "A new invoice has no id.")
        if any(
            other.number.casefold() == invoice.number.casefold()
            and other.status is not AppInvoiceStatus.DELETED
            for other in self.invoices.values()
        ):
            raise _Refused(WriteFailure.NUMBER_TAKEN, f"Number {invoice.number} is in use.")
        if invoice.status is not AppInvoiceStatus.APPROVED:
            raise _Refused(WriteFailure.INVALID, "A new invoice is approved; there are no drafts.")
        self._check_invoice(invoice)
        return self._store_invoice(invoice, self._new_id("invoice"), [])

    def _update_invoice(self, invoice: AppInvoice) -> AppInvoice:
        current = self.invoices.get(invoice.id or "")
        if current is None:
            raise _Refused(WriteFailure.NOT_FOUND, "No such invoice.")
        if not current.status.is_editable:
            raise _Refused(WriteFailure.NOT_EDITABLE, "The invoice is paid, voided or deleted.")
        if (current.amount_paid or 0) > 0:
            raise _Refused(
                WriteFailure.HAS_PAYMENTS, "The invoice is part paid; remove its payments first."
            )
        if invoice.status is AppInvoiceStatus.DELETED:
            stored = current.model_copy(
                update={"status": AppInvoiceStatus.DELETED, "updated_at": self._stamp()}
            )
            self.invoices[current.id or ""] = stored
            return stored
        if invoice.status is not AppInvoiceStatus.APPROVED:
            raise _Refused(WriteFailure.INVALID, f"Fake Books has no {invoice.status} invoices.")
        self._check_invoice(invoice)
        return self._store_invoice(invoice, current.id or "", current.lines)

    def _create_payment(self, draft: AppPaymentDraft) -> AppPayment:
        invoice = self.invoices.get(draft.invoice_id)
        if invoice is None:
            raise _Refused(WriteFailure.NOT_FOUND, "No such invoice.")
        if invoice.status is not AppInvoiceStatus.APPROVED:
            raise _Refused(WriteFailure.INVALID, "Only an approved, unpaid invoice takes payments.")
        account = next((a for a in self.accounts_list if a.code == draft.account_code), None)
        if account is None or not account.accepts_payments:
            raise _Refused(WriteFailure.INVALID, f"Account {draft.account_code} takes no payments.")
        if not account.is_active:
            raise _Refused(
                WriteFailure.ARCHIVED_REFERENCE, f"Account {draft.account_code} is archived."
            )
        if draft.amount <= 0 or draft.amount > (invoice.amount_due or Decimal(0)):
            raise _Refused(WriteFailure.INVALID, "A payment is more than 0 and at most the due.")
        return self._apply_payment(invoice.id or "", draft.amount, draft.date, draft.reference)

    def _check_invoice(self, invoice: AppInvoice) -> None:
        contact = self.contacts.get(invoice.contact_id)
        if contact is None:
            raise _Refused(WriteFailure.INVALID, "No such contact.")
        if not contact.is_active:
            raise _Refused(WriteFailure.ARCHIVED_REFERENCE, "The contact is archived.")
        if not invoice.lines:
            raise _Refused(WriteFailure.INVALID, "An invoice has at least one line.")
        codes = {item.code for item in self.items_by_id.values()}
        for line in invoice.lines:
            self._check_lines_refs(line.account_code, line.tax_type)
            if line.item_code and line.item_code not in codes:
                raise _Refused(WriteFailure.INVALID, f"No item {line.item_code}.")

    def _check_lines_refs(self, account_code: str | None, tax_type: str | None) -> None:
        accounts = {a.code: a for a in self.accounts_list}
        rates = {r.code: r for r in self.tax_rates_list}
        if account_code is not None:
            if account_code not in accounts:
                raise _Refused(WriteFailure.INVALID, f"No account {account_code}.")
            if not accounts[account_code].is_active:
                raise _Refused(
                    WriteFailure.ARCHIVED_REFERENCE, f"Account {account_code} is archived."
                )
        if tax_type is not None:
            if tax_type not in rates:
                raise _Refused(WriteFailure.INVALID, f"No tax code {tax_type}.")
            if not rates[tax_type].is_active:
                raise _Refused(WriteFailure.ARCHIVED_REFERENCE, f"Tax code {tax_type} is archived.")

    def _store_invoice(
        self, invoice: AppInvoice, invoice_id: str, current_lines: Sequence[AppInvoiceLine]
    ) -> AppInvoice:
        known = {line.id for line in current_lines}
        lines = [
            line.model_copy(update={"id": line.id if line.id in known else self._new_id("line")})
            for line in invoice.lines
        ]
        rates = {r.code: r.rate for r in self.tax_rates_list}
        total = sum(
            (
                (line.quantity * line.unit_amount).quantize(Decimal("0.01"))
                * (1 + rates.get(line.tax_type or "", Decimal(0)) / 100)
            ).quantize(Decimal("0.01"))
            for line in lines
        )
        previous = self.invoices.get(invoice_id)
        paid = previous.amount_paid if previous and previous.amount_paid else Decimal(0)
        stored = invoice.model_copy(
            update={
                "id": invoice_id,
                "lines": lines,
                "total": total,
                "amount_paid": paid,
                "amount_due": total - paid,
                "payments": previous.payments if previous else [],
                "updated_at": self._stamp(),
            }
        )
        self.invoices[invoice_id] = stored
        return stored

    def _touch_invoice(self, invoice: AppInvoice, **changes: Any) -> None:
        self.invoices[invoice.id or ""] = invoice.model_copy(
            update={**changes, "updated_at": self._stamp()}
        )

    # --- plumbing -------------------------------------------------------------------

    def _write(
        self, operation: str, records: Sequence[Any], apply: Callable[[Any], Record]
    ) -> list[WriteResult[Record]]:
        if len(records) > self._profile.write_batch_size:
            raise ValueError(f"Fake Books writes at most 3 records at once, not {len(records)}.")
        self._call(operation)
        results: list[WriteResult[Record]] = []
        for record in records:
            try:
                results.append(WriteResult(ok=True, record=apply(record)))
            except _Refused as refused:
                results.append(
                    WriteResult(ok=False, errors=[refused.message], reason=refused.reason)
                )
        if operation in self._lose:
            self._lose.discard(operation)
            raise ProviderUnavailable("Fake Books did not answer in time; try again.")
        if operation in self._short:
            self._short.discard(operation)
            return results[:-1]
        return results

    def _pages(
        self,
        operation: str,
        records: dict[str, Any],
        modified_since: datetime | None,
        start_page: int,
    ) -> Iterator[AppPage[Any]]:
        page = start_page
        while True:
            self._call(operation)
            changed = sorted(
                (
                    r
                    for r in records.values()
                    if modified_since is None or _changed_after(r.updated_at, modified_since)
                ),
                key=lambda r: (r.updated_at, r.id),
            )
            chunk = changed[(page - 1) * self.page_size : page * self.page_size]
            last = page * self.page_size >= len(changed)
            yield AppPage(records=chunk, page=page, last=last)
            if last:
                return
            page += 1

    def _call(self, operation: str) -> None:
        self._expire()
        if len(self._window) >= self.calls_per_minute:
            wait = 60 - (self.clock() - self._window[0]).total_seconds()
            raise RateLimited(
                "Fake Books' per-minute limit was reached.",
                retry_after_seconds=max(1.0, wait),
                problem="minute",
            )
        fault = self._faults.pop(operation, None)
        self._window.append(self.clock())
        self.calls[operation] += 1
        if fault is not None:
            raise fault

    def _expire(self) -> None:
        cutoff = self.clock() - timedelta(seconds=60)
        self._window = [moment for moment in self._window if moment > cutoff]

    def _new_id(self, kind: str) -> str:
        return f"fb-{kind}-{next(self._ids)}"

    def _stamp(self) -> datetime:
        """The change time: the clock, but strictly increasing so paging order is total."""
        self._tick += 1
        return self.clock().replace(microsecond=0) + timedelta(microseconds=self._tick)


def _changed_after(updated_at: datetime | None, moment: datetime) -> bool:
    # Like an HTTP date: whole seconds, so a change in the same second comes again.
    return updated_at is not None and updated_at.replace(microsecond=0) >= moment.replace(
        microsecond=0
    )


class FakeBooksProviders:
    """The service's provider registry with every organisation's records in one `FakeApp`;
    OAuth (connect, refresh, disconnect) still goes to the registry it wraps."""

    def __init__(self, registry: Any, app: FakeApp) -> None:
        self._registry = registry
        self.app = app

    def auth_for(self, app: str) -> Any:
        return self._registry.auth_for(app)

    def app_for(self, integration: Any) -> FakeApp:
        self._registry.app_for(integration)  # the same checks (connected, organisation)
        return self.app


def install_fake_books(emulated: Any) -> FakeApp:
    """Make `emulated`'s service sync with Fake Books (on the emulators' clock); call it
    before the first sync job runs."""
    container = emulated.container
    app = FakeApp(clock=container.clock.now)
    container.__dict__["providers"] = FakeBooksProviders(container.providers, app)
    container.__dict__.pop("sync_worker", None)
    container.__dict__.pop("configuration", None)
    return app


@pytest.fixture
def fake_books(emulated: Any) -> FakeApp:
    return install_fake_books(emulated)
