"""Small value rules every entity shares: empty strings, addresses, money."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
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


def check_kinds(body: Record, kinds: Mapping[str, str], schema_type: str) -> None:
    """Every property is one of the type's elements, with a value its deserialiser reads:
    2010 otherwise. Like Intuit's (Jackson) it takes numbers and booleans written as
    strings and numbers where text belongs; an empty string or null is "not given"."""
    for name, value in body.items():
        kind = kinds.get(name)
        if kind is None:
            raise faults.unsupported_property(name, schema_type)
        if value is None or value == "" or _fits(kind, value):
            continue
        raise faults.unreadable_value(name, value, kind, schema_type)


def _fits(kind: str, value: Any) -> bool:
    if kind in ("ref", "object"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "bool":
        return isinstance(value, bool) or (isinstance(value, str) and value in ("true", "false"))
    if kind == "number":
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return True
        return isinstance(value, str) and _is_number(value)
    if kind == "date":
        return isinstance(value, str) and _is_date(value)
    return not isinstance(value, dict | list)


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) == 10 or text[10] in "T+-Z"


def as_bool(value: Any, default: bool) -> bool:
    """A boolean element as the deserialiser reads it (true/false, or "true"/"false")."""
    if value is None or value == "":
        return default
    return value is True or value == "true"
