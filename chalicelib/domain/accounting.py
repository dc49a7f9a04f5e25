"""Records read from an accounting app, normalised across apps."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.app_profile import WriteFailure

Record = TypeVar("Record")


class AppInvoiceStatus(StrEnum):
    """An invoice's state in the app, normalised; each provider maps its own statuses."""

    DRAFT = "DRAFT"  # not approved; freely editable
    AWAITING_APPROVAL = "AWAITING_APPROVAL"  # submitted for approval; still editable
    APPROVED = "APPROVED"  # open and awaiting payment
    PAID = "PAID"
    VOIDED = "VOIDED"
    DELETED = "DELETED"

    @property
    def is_editable(self) -> bool:
        return self in EDITABLE_INVOICE_STATUSES

    @property
    def rank(self) -> int:
        """Order along the approval path, so a push never moves an invoice back."""
        return _INVOICE_STATUS_RANK[self]


EDITABLE_INVOICE_STATUSES = frozenset(
    {AppInvoiceStatus.DRAFT, AppInvoiceStatus.AWAITING_APPROVAL, AppInvoiceStatus.APPROVED}
)
_INVOICE_STATUS_RANK = {
    AppInvoiceStatus.DRAFT: 0,
    AppInvoiceStatus.AWAITING_APPROVAL: 1,
    AppInvoiceStatus.APPROVED: 2,
    AppInvoiceStatus.PAID: 3,
    AppInvoiceStatus.VOIDED: 4,
    AppInvoiceStatus.DELETED: 4,
}


class AccountClass(StrEnum):
    ASSET = "ASSET"
    EQUITY = "EQUITY"
    EXPENSE = "EXPENSE"
    LIABILITY = "LIABILITY"
    REVENUE = "REVENUE"


class RecordStatus(StrEnum):
    """Whether an app's account, tax rate, contact or payment is in use."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"  # archived, deleted or voided: kept by the app, not to be used


class Account(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    type: str  # the app's own account type, shown to the user as the app names it
    account_class: AccountClass
    status: RecordStatus
    tax_type: str | None = None
    # Whether the app lets a payment be received into it (a bank account, or one the
    # app marks as taking payments), decided by the provider.
    accepts_payments: bool = False
    # A bank account: where a new config sends payments first, decided by the provider.
    is_bank: bool = False

    @property
    def is_active(self) -> bool:
        return self.status is RecordStatus.ACTIVE

    @property
    def takes_sales(self) -> bool:
        return self.account_class is AccountClass.REVENUE


class TaxRate(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    rate: Decimal
    status: RecordStatus
    applies_to_revenue: bool = True

    @property
    def is_active(self) -> bool:
        return self.status is RecordStatus.ACTIVE


class RateBudget(BaseModel):
    """What is left of the app's nearest rate limit, as of the last call.

    The provider works it out from its own answers: `calls_left` before the tightest
    of its windows is spent (None: unknown, e.g. before the first call), and
    `refill_seconds` until that window lets calls through again.
    """

    model_config = ConfigDict(frozen=True)

    calls_left: int | None = None
    refill_seconds: float = 0.0


class AppPage(BaseModel, Generic[Record]):
    """One page of records read from the app, oldest change first where the app allows."""

    records: list[Record]
    page: int
    last: bool
    # When the app's answer was taken, if earlier than the call that returned the page
    # (a provider serving pages from one earlier read of several kinds of records).
    read_at: datetime | None = None


class AppContact(BaseModel):
    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    is_customer: bool = False
    is_supplier: bool = False
    status: RecordStatus = RecordStatus.ACTIVE
    updated_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status is RecordStatus.ACTIVE


class AppContactDraft(BaseModel):
    """A contact to create (no id) or update (with id) in the app."""

    id: str | None = None
    name: str
    email: str | None = None
    phone: str | None = None
    contact_number: str | None = None


class AppItem(BaseModel):
    id: str | None = None
    code: str
    name: str
    description: str | None = None
    unit_price: Decimal | None = None
    account_code: str | None = None
    tax_type: str | None = None
    updated_at: datetime | None = None


class AppInvoiceLine(BaseModel):
    id: str | None = None
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str | None = None
    tax_type: str | None = None
    item_code: str | None = None


class AppPayment(BaseModel):
    id: str
    invoice_id: str
    amount: Decimal
    date: date_type
    reference: str | None = None
    status: RecordStatus = RecordStatus.ACTIVE  # ARCHIVED: the app deleted the payment
    updated_at: datetime | None = None


class AppPaymentDraft(BaseModel):
    """A payment to record in the app against one of its invoices."""

    invoice_id: str
    account_code: str
    amount: Decimal
    date: date_type
    reference: str | None = None


class AppInvoice(BaseModel):
    id: str | None = None
    number: str
    contact_id: str
    status: AppInvoiceStatus = AppInvoiceStatus.DRAFT
    date: date_type
    due_date: date_type | None = None
    reference: str | None = None
    url: str | None = None
    lines: list[AppInvoiceLine] = []
    total: Decimal | None = None
    amount_due: Decimal | None = None
    amount_paid: Decimal | None = None
    # The payments applied to it, as the app lists them with the invoice (reads that
    # name invoices by id); empty when the read does not include them.
    payments: list[AppPayment] = []
    updated_at: datetime | None = None


class WriteResult(BaseModel, Generic[Record]):
    """The app's answer for one element of a batched write."""

    ok: bool
    record: Record | None = None
    # The app's own words, for the person reading the run's errors.
    errors: list[str] = []
    # Why it failed, decided by the provider; what the syncers act on.
    reason: WriteFailure | None = None
