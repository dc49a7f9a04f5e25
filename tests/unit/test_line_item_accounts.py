"""Which account an app item gets, and which one the mapping list suggests: pure rules."""

from __future__ import annotations

from chalicelib.domain.accounting import Account, AccountClass, AppItem, RecordStatus
from chalicelib.domain.line_item_accounts import (
    Suggestion,
    SuggestionSource,
    account_to_send,
    sales_account_codes,
    suggested_account,
)


def account(code: str, cls: AccountClass, status: RecordStatus = RecordStatus.ACTIVE) -> Account:
    return Account(code=code, name=code, type=cls.value, account_class=cls, status=status)


SALES = sales_account_codes(
    [
        account("200", AccountClass.REVENUE),
        account("260", AccountClass.REVENUE),
        account("210", AccountClass.REVENUE, RecordStatus.ARCHIVED),
        account("400", AccountClass.EXPENSE),
    ]
)


def item(code: str | None) -> AppItem:
    return AppItem(id="i1", code="TAP1", name="Tap", account_code=code)


def test_only_active_revenue_accounts_take_sales():
    assert {"200", "260"} == SALES


def test_an_explicit_mapping_always_wins():
    sent = account_to_send(
        mapped="260",
        app_item=item("200"),
        loc8_account_code="200",
        sales_codes=SALES,
        default="200",
    )
    assert sent == "260"


def test_an_item_the_app_has_keeps_its_account_whatever_the_default():
    for current in ("210", "400", None):
        sent = account_to_send(
            mapped=None,
            app_item=item(current),
            loc8_account_code="260",
            sales_codes=SALES,
            default="200",
        )
        assert sent == current


def test_a_new_item_takes_loc8s_account_only_when_the_app_takes_sales_on_it():
    def new(loc8_code: str | None) -> str | None:
        return account_to_send(
            mapped=None,
            app_item=None,
            loc8_account_code=loc8_code,
            sales_codes=SALES,
            default="200",
        )

    assert new("260") == "260"
    assert new("210") == "200"  # archived in the app
    assert new("400") == "200"  # an expense account
    assert new(None) == "200"


def test_the_suggestion_starts_from_the_app_item_then_loc8_then_the_default():
    def suggest(current: str | None, loc8_code: str | None, default: str | None):
        return suggested_account(
            app_item=item(current) if current != "none" else None,
            loc8_account_code=loc8_code,
            sales_codes=SALES,
            default=default,
        )

    assert suggest("260", "200", "200") == Suggestion("260", SuggestionSource.APP_ITEM)
    # An app item on an account a save would refuse is passed over.
    assert suggest("210", "260", "200") == Suggestion("260", SuggestionSource.LOC8_LINE_ITEM)
    assert suggest("none", "400", "200") == Suggestion("200", SuggestionSource.DEFAULT)
    assert suggest("none", None, None) is None
