"""Request bodies as the contract allows them, and how a rejected body is reported.

Strict where JSON could be misread: versions must be numbers ("1" is not), dates
ISO strings, decimals strings; unknown fields are refused. Python callers (seed,
controls) may pass lists where the models keep tuples.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from localdev.loc8.problems import bad_request, invalid

_DECIMAL = re.compile(r"-?\d{1,13}(\.\d{1,4})?")
_MONEY = re.compile(r"\d{1,13}(\.\d{1,2})?")
_PERCENT = re.compile(r"(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)")


def _decimal_string(pattern: re.Pattern[str], hint: str) -> BeforeValidator:
    def check(value: object) -> Decimal:
        # JSON never yields a Decimal, so accepting one only serves Python callers.
        text = format(value, "f") if isinstance(value, Decimal) else value
        if not isinstance(text, str) or not pattern.fullmatch(text):
            raise ValueError(f"must be a decimal string such as {hint}")
        return Decimal(text)

    return BeforeValidator(check)


_plain = PlainSerializer(lambda value: format(value, "f"), return_type=str)
DecimalString = Annotated[Decimal, _decimal_string(_DECIMAL, '"120.50"'), _plain]
MoneyString = Annotated[Decimal, _decimal_string(_MONEY, '"150.00"'), _plain]
PercentString = Annotated[Decimal, _decimal_string(_PERCENT, '"10.00" (0-100)'), _plain]
AppName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,31}$")]
Url = Annotated[str, Field(max_length=2048, pattern=r"^https?://")]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Version = Annotated[StrictInt, Field(ge=1)]
IsoDate = Annotated[date, Strict()]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExternalRefIn(_Strict):
    app: AppName
    external_id: str = Field(min_length=1, max_length=255)
    url: Url | None = None


class AddressIn(_Strict):
    kind: Literal["billing", "postal", "site"]
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=20)
    country: str = Field(default="AU", pattern=r"^[A-Z]{2}$")


class CustomerIn(_Strict):
    name: str = Field(min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    phone: str | None = Field(default=None, max_length=50)
    addresses: tuple[AddressIn, ...] = Field(default=(), max_length=10)
    external_refs: tuple[ExternalRefIn, ...] = Field(default=(), max_length=10)

    @field_validator("external_refs")
    @classmethod
    def _one_per_app(cls, refs: tuple[ExternalRefIn, ...]) -> tuple[ExternalRefIn, ...]:
        apps = [ref.app for ref in refs]
        if len(apps) != len(set(apps)):
            raise ValueError("at most one reference per app")
        return refs


class CustomerUpdateIn(CustomerIn):
    version: Version


class LineItemIn(_Strict):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=4000)
    unit_price: DecimalString
    tax_type_code: str = Field(min_length=1, max_length=50)
    account_code: str | None = Field(default=None, max_length=10)


class LineItemUpdateIn(LineItemIn):
    version: Version


class TaxTypeIn(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,50}$")
    name: str = Field(min_length=1, max_length=100)
    rate: PercentString


class TaxTypeChangeIn(_Strict):
    """A PATCH: only the fields sent change (null is not a value for either)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    rate: PercentString | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> TaxTypeChangeIn:
        if not self.model_fields_set:
            raise ValueError("send name, rate or both")
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{' and '.join(nulls)} cannot be null")
        return self


class ExternalRefWriteIn(_Strict):
    external_id: str = Field(min_length=1, max_length=255)
    url: Url | None = None


class PaymentIn(_Strict):
    app: AppName
    external_id: str = Field(min_length=1, max_length=255)
    amount: MoneyString
    paid_on: IsoDate
    reference: str | None = Field(default=None, max_length=255)

    @field_validator("amount")
    @classmethod
    def _positive(cls, amount: Decimal) -> Decimal:
        if amount <= 0:
            raise ValueError("must be more than zero")
        return amount


class StatusIn(_Strict):
    status: Literal["paid", "voided"]
    version: Version


class InvoiceLineIn(_Strict):
    """A line as a Loc8 user writes it (emulator controls and seed only)."""

    line_item_id: str | None = None
    description: str = Field(min_length=1, max_length=4000)
    quantity: DecimalString
    unit_price: DecimalString
    tax_type_code: str = Field(min_length=1, max_length=50)


class InvoiceIn(_Strict):
    """An invoice as a Loc8 user writes it (not part of the service API)."""

    number: str | None = Field(default=None, min_length=1, max_length=50)
    customer_id: str
    reference: str | None = Field(default=None, max_length=255)
    issue_date: IsoDate
    due_date: IsoDate
    status: Literal["draft", "issued"] = "draft"
    currency: str = Field(default="AUD", pattern=r"^[A-Z]{3}$")
    lines: tuple[InvoiceLineIn, ...] = Field(min_length=1, max_length=200)


M = TypeVar("M", bound=BaseModel)


def _where(location: tuple[int | str, ...]) -> str:
    """('addresses', 0, 'postcode') -> 'addresses[0].postcode'."""
    where = ""
    for part in location:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where += f".{part}" if where else part
    return where or "(body)"


def parse_body(model: type[M], raw: bytes) -> M:
    """The body as `model`, or a Problem: 400 for broken JSON, 422 listing each field."""
    if not raw.strip():
        raise bad_request("A JSON body is required.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(item["type"] in ("json_invalid", "model_type") for item in error.errors()):
            raise bad_request("The body is not a JSON object.") from error
        raise invalid(
            (_where(item["loc"]), item["msg"].removeprefix("Value error, "))
            for item in error.errors()
        ) from error


def validated(model: type[M], value: object) -> M:
    """`model` from Python data (the Python API), read exactly as a JSON body would be.

    Decimals and dates may be given as Python objects; they become their JSON strings.
    """
    if isinstance(value, model):
        return value
    return parse_body(model, json.dumps(value, default=str).encode())
