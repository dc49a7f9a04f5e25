"""A Loc8 tenant's data as the sync reads and writes it (docs/loc8-core-api.yaml).

Records read from Loc8 core ignore fields they do not know, so Loc8 core can grow
its API without breaking a deployed sync; drafts (what the sync writes) forbid
unknown fields, so a typo fails here rather than at Loc8 core. Money is `Decimal`
and travels as a decimal string, never a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

# Plain notation ("100", not "1E+2"): the contract's decimal strings have no exponent.
_as_plain_string = PlainSerializer(lambda value: format(value, "f"), return_type=str)

Amount = Annotated[Decimal, Field(max_digits=17, decimal_places=4), _as_plain_string]
"""A price, quantity or total: at most 4 decimal places."""

PaymentAmount = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=2), _as_plain_string]

TWO_PLACES = Decimal("0.01")


def loc8_rate(rate: Decimal) -> Decimal:
    """A tax rate as Loc8 writes it: at least two places ("10.00", not "10.0" or "10"),
    at most four, so a rate read back compares equal to the one written."""
    value = rate.quantize(Decimal("0.0001")).normalize()
    exponent = value.as_tuple().exponent
    return value.quantize(TWO_PLACES) if isinstance(exponent, int) and exponent > -2 else value


_as_rate_string = PlainSerializer(lambda value: format(loc8_rate(value), "f"), return_type=str)

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4), _as_rate_string]

AppName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,31}$")]

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ExternalRef(BaseModel):
    """Where a Loc8 record lives in an accounting app."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    app: AppName
    external_id: str = Field(min_length=1, max_length=255)
    url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://")


class AddressKind(StrEnum):
    BILLING = "billing"
    POSTAL = "postal"
    SITE = "site"


class Address(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: AddressKind
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=20)
    country: str = Field(default="AU", pattern=r"^[A-Z]{2}$")


class _Versioned(_Read):
    id: str
    version: int = Field(ge=1)
    updated_at: AwareDatetime


class Loc8CustomerDraft(_Draft):
    name: str = Field(min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=50)
    addresses: list[Address] = Field(default_factory=list, max_length=10)
    external_refs: list[ExternalRef] = Field(default_factory=list, max_length=10)


class Loc8Customer(_Versioned, Loc8CustomerDraft):
    model_config = ConfigDict(extra="ignore")

    def to_draft(self) -> Loc8CustomerDraft:
        """The editable fields, to change and send back with `version`."""
        return Loc8CustomerDraft.model_validate(
            self.model_dump(include=set(Loc8CustomerDraft.model_fields))
        )

    def external_ref(self, app: str) -> ExternalRef | None:
        return next((ref for ref in self.external_refs if ref.app == app), None)


class Loc8LineItemDraft(_Draft):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=4000)
    unit_price: Amount
    tax_type_code: str = Field(min_length=1, max_length=50)
    account_code: str | None = Field(default=None, max_length=10)


class Loc8LineItem(_Versioned, Loc8LineItemDraft):
    model_config = ConfigDict(extra="ignore")

    def to_draft(self) -> Loc8LineItemDraft:
        return Loc8LineItemDraft.model_validate(
            self.model_dump(include=set(Loc8LineItemDraft.model_fields))
        )


class Loc8TaxTypeDraft(_Draft):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    name: str = Field(min_length=1, max_length=100)
    rate: Percent


class Loc8TaxTypeChange(_Draft):
    """What an update sets; the code, id and active flag stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    rate: Percent | None = None


class Loc8TaxType(_Versioned, Loc8TaxTypeDraft):
    model_config = ConfigDict(extra="ignore")

    active: bool


class Loc8InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOIDED = "voided"


class Loc8InvoiceLine(_Read):
    id: str
    line_item_id: str | None
    description: str
    quantity: Amount
    unit_price: Amount
    tax_type_code: str
    line_amount: Amount
    tax_amount: Amount


class Loc8PaymentDraft(_Draft):
    """A payment received in an app; Loc8 core records it once per (app, external_id)."""

    app: AppName
    external_id: str = Field(min_length=1, max_length=255)
    amount: PaymentAmount
    paid_on: date
    reference: str | None = Field(default=None, max_length=255)


class Loc8Payment(_Read):
    id: str
    invoice_id: str
    app: str
    external_id: str
    amount: Amount
    paid_on: date
    reference: str | None
    recorded_at: AwareDatetime


class RecordedPayment(BaseModel):
    """What recording a payment did: `newly_recorded` is False when Loc8 already had
    it (the same app payment sent again, e.g. by a reconnected integration)."""

    payment: Loc8Payment
    newly_recorded: bool


class Loc8Invoice(_Versioned):
    number: str
    customer_id: str
    reference: str | None
    issue_date: date
    due_date: date
    status: Loc8InvoiceStatus
    currency: str
    lines: list[Loc8InvoiceLine]
    subtotal: Amount
    total_tax: Amount
    total: Amount
    amount_paid: Amount
    amount_due: Amount
    payments: list[Loc8Payment]
    external_refs: list[ExternalRef]

    def external_ref(self, app: str) -> ExternalRef | None:
        return next((ref for ref in self.external_refs if ref.app == app), None)


T = TypeVar("T", bound=BaseModel)


class Page(BaseModel, Generic[T]):
    """One page of a changed-since list; `next_cursor` is None on the last page."""

    items: list[T]
    next_cursor: str | None = None


def iter_items(pages: Iterable[Page[T]]) -> Iterator[T]:
    """The records of every page, fetched one page at a time (memory stays flat)."""
    for page in pages:
        yield from page.items
