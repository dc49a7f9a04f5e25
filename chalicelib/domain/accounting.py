"""Records read from an accounting app, normalised across apps."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class Account(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    type: str
    account_class: str
    status: str
    tax_type: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def takes_sales(self) -> bool:
        return self.account_class == "REVENUE"


class TaxRate(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    rate: Decimal
    status: str
    applies_to_revenue: bool = True

    @property
    def is_active(self) -> bool:
        return self.status == "ACTIVE"


class RateBudget(BaseModel):
    """What the app said is left of its rate limits after the last call."""

    minute_remaining: int | None = None
    day_remaining: int | None = None
    app_minute_remaining: int | None = None
