"""Which sales account an app item gets, and which one the config page suggests.

Pure rules, no calls. The config's explicit mapping is the only thing that may move
an item the app already has: the default account never does, because an admin who
saves a default has not looked at each item the bookkeeper set up in the app.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.accounting import Account, AppItem


class SuggestionSource(StrEnum):
    """Where a suggested account comes from, most specific first."""

    APP_ITEM = "app_item"  # the app item's current sales account
    LOC8_LINE_ITEM = "loc8_line_item"  # the Loc8 line item's own account code
    DEFAULT = "default"  # the config's default account


@dataclass(frozen=True)
class Suggestion:
    account_code: str
    source: SuggestionSource


def sales_account_codes(accounts: list[Account]) -> frozenset[str]:
    """The codes a sales line may use: active revenue accounts."""
    return frozenset(a.code for a in accounts if a.is_active and a.takes_sales)


def account_to_send(
    *,
    mapped: str | None,
    app_item: AppItem | None,
    loc8_account_code: str | None,
    sales_codes: Collection[str],
    default: str | None,
) -> str | None:
    """The account to write on an app item pushed from a Loc8 line item.

    An explicit mapping always wins. An item the app already has keeps its own
    account (None when it has none). A new item takes the Loc8 line item's own
    account when the app has it as an active revenue account, else the default.
    """
    if mapped is not None:
        return mapped
    if app_item is not None:
        return app_item.account_code
    if loc8_account_code is not None and loc8_account_code in sales_codes:
        return loc8_account_code
    return default


def suggested_account(
    *,
    app_item: AppItem | None,
    loc8_account_code: str | None,
    sales_codes: Collection[str],
    default: str | None,
) -> Suggestion | None:
    """What the mapping list starts from: what already exists before the default.

    Only accounts a save would accept are suggested, so taking a suggestion never
    fails validation.
    """
    current = app_item.account_code if app_item is not None else None
    if current is not None and current in sales_codes:
        return Suggestion(current, SuggestionSource.APP_ITEM)
    if loc8_account_code is not None and loc8_account_code in sales_codes:
        return Suggestion(loc8_account_code, SuggestionSource.LOC8_LINE_ITEM)
    if default is not None:
        return Suggestion(default, SuggestionSource.DEFAULT)
    return None
