"""Cents rounding as Loc8 invoices do it: half-up, per line."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_totals(
    quantity: Decimal, unit_price: Decimal, rate_percent: Decimal
) -> tuple[Decimal, Decimal]:
    """(line amount excluding tax, tax amount) for one line."""
    amount = cents(quantity * unit_price)
    return amount, cents(amount * rate_percent / 100)


def money_string(value: Decimal) -> str:
    return format(cents(value), "f")


def rate_string(rate: Decimal) -> str:
    """A tax rate as Loc8 core writes it: at least two places ("10.00"), up to four."""
    exponent = rate.as_tuple().exponent
    return format(cents(rate) if isinstance(exponent, int) and exponent > -2 else rate, "f")
