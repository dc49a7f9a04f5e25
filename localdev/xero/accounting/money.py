"""Amounts as Decimal, rounded the way Xero shows them (2 dp, half away from zero)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from localdev.xero.accounting.problems import post_data_invalid

ZERO = Decimal("0")
HUNDRED = Decimal("100")
_PLACES = {2: Decimal("0.01"), 4: Decimal("0.0001")}


def to_decimal(value: Any, field: str) -> Decimal:
    """JSON number or numeric string -> Decimal; anything else is a PostDataInvalidException.

    Floats go through str() so 0.1 stays 0.1 instead of its binary expansion.
    """
    if isinstance(value, bool):
        raise post_data_invalid(f"The value '{value}' is not valid for {field}.")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            result = None
        if result is not None and result.is_finite():
            return result
    raise post_data_invalid(f"The value '{value}' is not valid for {field}.")


def quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(_PLACES[places], rounding=ROUND_HALF_UP)


def round2(value: Decimal) -> Decimal:
    return quantize(value, 2)
