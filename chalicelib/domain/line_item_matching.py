"""How a Loc8 line item and an app item compare, and which side's change is newer.

Pure rules, no calls. Both sides are reduced to the fields they share, with a Loc8
name cut to what the app can hold, so the app's truncation never reads as an edit;
the fingerprints of those fields tell a real change from the echo of our own write.
"""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.accounting import AppItem
from chalicelib.domain.links import fingerprint
from chalicelib.domain.loc8 import Loc8LineItem

Fields = dict[str, str | None]


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.0001")).normalize(), "f")


def item_fields(item: AppItem) -> Fields:
    return {
        "code": item.code,
        "name": item.name,
        "description": item.description or None,
        "unit_price": money(item.unit_price),
        "tax_type": item.tax_type,
    }


def line_item_fields(line_item: Loc8LineItem, name_max_length: int) -> Fields:
    return {
        "code": line_item.code,
        "name": line_item.name[:name_max_length],  # what the app can hold
        "description": line_item.description or None,
        "unit_price": money(line_item.unit_price),
        "tax_type": line_item.tax_type_code,
    }


def app_item_fingerprint(item: AppItem) -> str:
    return fingerprint(item_fields(item))


def line_item_fingerprint(
    line_item: Loc8LineItem, name_max_length: int, account_code: str | None
) -> str:
    # The mapped account is part of what Loc8 pushes: a mapping change re-pushes.
    return fingerprint({**line_item_fields(line_item, name_max_length), "account": account_code})


def loc8_is_newer(line_item: Loc8LineItem, item: AppItem) -> bool:
    return bool(line_item.updated_at and item.updated_at and line_item.updated_at > item.updated_at)
