"""Typed reading of request bodies, before any business rule runs.

Xero deserialises the whole body first (property names case-insensitively, numbers
accepted where strings are expected) and rejects wrong types with a
PostDataInvalidException for the whole request. Doing the same here means a batch
with one malformed element changes nothing, and business validation only ever sees
well-typed values. Unknown properties are ignored, as Xero ignores them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from localdev.xero.accounting.dates import parse_date
from localdev.xero.accounting.money import to_decimal
from localdev.xero.accounting.problems import post_data_invalid

Parser = Callable[[Any, str], Any]
Spec = Mapping[str, Parser]


def text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise post_data_invalid(f"The value '{value}' is not valid for {name}.")


def number(value: Any, name: str) -> Decimal:
    return to_decimal(value, name)


def boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in ("true", "false"):
        return value.strip().casefold() == "true"
    raise post_data_invalid(f"The value '{value}' is not valid for {name}.")


def day(value: Any, name: str) -> date:
    return parse_date(value)


def guid(value: Any, name: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise post_data_invalid(f"The value '{value}' is not a valid GUID for {name}.") from None


def enum(*values: str) -> Parser:
    """Case-insensitive, as .NET's enum converter is; stored in Xero's spelling."""
    folded = {value.casefold(): value for value in values}

    def parse(value: Any, name: str) -> str:
        if isinstance(value, str) and value.strip().casefold() in folded:
            return folded[value.strip().casefold()]
        raise post_data_invalid(f"Requested value '{value}' was not found for {name}.")

    return parse


def obj(spec: Spec) -> Parser:
    def parse(value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise post_data_invalid(f"{name} must be an object.")
        return parse_object(value, spec)

    return parse


def many(item: Parser) -> Parser:
    def parse(value: Any, name: str) -> list[Any]:
        if not isinstance(value, list):
            raise post_data_invalid(f"{name} must be an array.")
        return [item(entry, name) for entry in value]

    return parse


def parse_object(data: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    """Only the properties present (and not null), under their canonical names."""
    canonical = {name.casefold(): name for name in spec}
    result: dict[str, Any] = {}
    for key, value in data.items():
        name = canonical.get(str(key).casefold())
        if name is None or value is None:
            continue
        result[name] = spec[name](value, name)
    return result


def elements(body: Any, collection: str, singular: str) -> list[Mapping[str, Any]]:
    """The elements of a write body: ``{"Contacts": [...]}``, or one bare object."""
    if not isinstance(body, Mapping):
        raise post_data_invalid("The request body must be a JSON object.")
    for key, value in body.items():
        if str(key).casefold() == collection.casefold():
            if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
                raise post_data_invalid(f"{collection} must be an array of {singular} objects.")
            return list(value)
    return [body]
