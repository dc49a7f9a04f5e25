"""How a Loc8 line item and an app item compare, names cut to what the app holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from chalicelib.domain.accounting import AppItem
from chalicelib.domain.line_item_matching import (
    app_item_fingerprint,
    item_fields,
    line_item_fields,
    line_item_fingerprint,
    loc8_is_newer,
    money,
)
from chalicelib.domain.loc8 import Loc8LineItem
from chalicelib.domain.names import name_from_app

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LONG_NAME = "Labour - standard rate, licensed tradesperson"


def line_item(name: str = LONG_NAME, price: str = "118.00") -> Loc8LineItem:
    return Loc8LineItem(
        id="li_1",
        version=1,
        updated_at=NOW,
        code="LAB",
        name=name,
        unit_price=Decimal(price),
        tax_type_code="S10",
    )


def app_item(name: str, price: str = "118", updated_at: datetime = NOW) -> AppItem:
    return AppItem(
        id="i1",
        code="LAB",
        name=name,
        unit_price=Decimal(price),
        tax_type="S10",
        updated_at=updated_at,
    )


def test_an_item_the_app_holds_with_a_cut_name_equals_its_loc8_line_item():
    held = app_item(LONG_NAME[:20])
    assert item_fields(held) == line_item_fields(line_item(), name_max_length=20)
    assert item_fields(held) != line_item_fields(line_item(), name_max_length=50)


def test_prices_compare_as_amounts_not_as_text():
    assert money(Decimal("118.00")) == money(Decimal("118")) == "118"
    assert money(None) is None


def test_a_mapped_account_change_changes_the_loc8_fingerprint():
    item = line_item()
    assert line_item_fingerprint(item, 20, "200") != line_item_fingerprint(item, 20, "260")
    assert line_item_fingerprint(item, 20, "200") == line_item_fingerprint(item, 20, "200")
    assert app_item_fingerprint(app_item("A")) != app_item_fingerprint(app_item("B"))


def test_the_newer_side_is_told_by_change_time():
    assert loc8_is_newer(line_item(), app_item("x", updated_at=NOW - timedelta(minutes=1)))
    assert not loc8_is_newer(line_item(), app_item("x", updated_at=NOW + timedelta(minutes=1)))


def test_a_name_the_app_only_cut_short_keeps_loc8s_whole_name():
    assert name_from_app(LONG_NAME[:20], LONG_NAME, 20) == LONG_NAME
    # Edited in the app: the app's name is taken.
    assert name_from_app("Labour", LONG_NAME, 20) == "Labour"
    assert name_from_app("Labour (std)", "Labour", 20) == "Labour (std)"
    assert name_from_app("New item", None, 20) == "New item"
