"""Small value rules every entity shares: empty strings, addresses, money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from localdev.quickbooks.accounting import faults
from localdev.quickbooks.accounting.books import Books, Record

CENT = Decimal("0.01")


def drop_empty(body: Record) -> Record:
    """QuickBooks reads an empty string or null as "not given" (python-quickbooks sends
    every field of a new object, most of them "")."""
    return {key: value for key, value in body.items() if value is not None and value != ""}


def give_address_ids(books: Books, body: Record, names: tuple[str, ...]) -> None:
    """Addresses are records of their own in QuickBooks: each gets an Id when saved."""
    for name in names:
        address = body.get(name)
        if isinstance(address, dict):
            address = drop_empty(address)
            if not address:
                body.pop(name)
                continue
            address.setdefault("Id", books.take_id("PhysicalAddress"))
            body[name] = address


def decimal_of(value: Any, element: str) -> Decimal:
    """A number from a body (JSON number or numeric string), else 2030 Invalid Number."""
    if isinstance(value, bool):
        raise _invalid_number(element, value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid_number(element, value) from None
    if not number.is_finite():
        raise _invalid_number(element, value)
    return number


def _invalid_number(element: str, value: Any) -> faults.QuickBooksFault:
    return faults.QuickBooksFault(
        400,
        [
            faults.ErrorDetail(
                "2030",
                "Invalid ID",
                f"Id should be a valid number. Supplied value:{value}",
                element,
            )
            if element.endswith("Id")
            else faults.ErrorDetail(
                "2040",
                "Invalid Number",
                f"Invalid Number : {element} : {value}",
                element,
            )
        ],
    )


def money(value: Decimal) -> float | int:
    """Amounts as QuickBooks writes them: JSON numbers, two places, no trailing zeros."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain_number(value: Decimal) -> float | int:
    """A JSON number as given (unit prices keep their places; QuickBooks allows more than two)."""
    return int(value) if value == value.to_integral_value() else float(value)
