"""Line items ↔ the app's items against each app and the Loc8 core emulator: once each,
both ways, newer wins, and codes the app cannot hold reported rather than cut."""

from __future__ import annotations

from decimal import Decimal

from tests.support.app_kits import AppKit
from tests.support.catalogue import activate, code_limit, edit_in_app, loc8_items
from tests.support.emulated import TENANT
from tests.support.sync_runs import sync


def test_activation_makes_both_catalogues_whole_without_duplicates(emulated, app_kit: AppKit):
    integration_id, run = activate(emulated)
    limit = code_limit(app_kit, integration_id)
    in_app, in_loc8 = app_kit.items(), loc8_items(emulated)
    fitting = {code for code in in_loc8 if len(code) <= limit}
    # An app item named like a Loc8 item is linked to it, keeping its own code (and
    # the run notes it): a Loc8 code the app holds under another.
    linked = {e["record"] for e in run["errors"] if "same name" in e["message"]}
    linked_names = {in_loc8[code]["name"] for code in linked}
    held_apart = {code for code, item in in_app.items() if item.name in linked_names}
    assert fitting - linked <= set(in_app)
    assert set(in_app) - held_apart <= set(in_loc8)
    assert app_kit.own_item_code in in_loc8  # the app's own item came into Loc8
    tap = in_app["TAP1"]
    assert tap.account_code == app_kit.accounts["200"]  # the config's default account
    assert tap.tax_type == app_kit.gst_code  # Loc8's "GST" is the app's GST on income
    assert tap.unit_price == Decimal(in_loc8["TAP1"]["unit_price"])
    # Codes longer than the app holds are reported, one error each, never cut.
    reported = {e["record"] for e in run["errors"]} - linked
    assert reported == set(in_loc8) - fitting
    assert run["status"] == ("PARTIAL" if reported else "SUCCEEDED"), run["errors"]


def test_a_no_change_sync_writes_nothing(emulated, app_kit: AppKit):
    integration_id, _ = activate(emulated)
    reads_before, writes_before = app_kit.item_reads(), app_kit.writes_made()
    loc8_before = emulated.loc8.calls
    run = sync(emulated, integration_id)
    loc8_calls = emulated.loc8.calls - loc8_before
    assert app_kit.item_reads() - reads_before == 1
    assert app_kit.writes_made() == writes_before
    assert not [call for call in loc8_calls if not call.startswith("GET")]  # no Loc8 write
    assert run["counts"]["line_items"]["created"] == run["counts"]["line_items"]["updated"] == 0


def test_edits_flow_both_ways(emulated, app_kit: AppKit):
    integration_id, _ = activate(emulated)
    api = emulated.container.loc8_api
    tap = next(i for i in api.iter_line_items(TENANT) if i.code == "TAP1")
    api.update_line_item(
        TENANT,
        tap.id,
        tap.to_draft().model_copy(update={"unit_price": Decimal("13.20")}),
        version=tap.version,
    )
    edit_in_app(app_kit, integration_id, app_kit.own_item_code, "49.50", "edit-in-the-app")

    run = sync(emulated, integration_id)

    assert run["counts"]["line_items"]["updated"] == 2, run
    assert app_kit.items()["TAP1"].unit_price == Decimal("13.20")
    assert Decimal(loc8_items(emulated)[app_kit.own_item_code]["unit_price"]) == Decimal("49.50")
    again = sync(emulated, integration_id)
    assert again["counts"]["line_items"]["updated"] == 0


def test_changed_on_both_sides_the_later_change_wins_and_is_recorded(emulated, app_kit: AppKit):
    integration_id, _ = activate(emulated)
    api = emulated.container.loc8_api
    callout = next(i for i in api.iter_line_items(TENANT) if i.code == "CALL1")
    edit_in_app(app_kit, integration_id, "CALL1", "99.00", "app-first")
    emulated.xero.clock.advance(60)
    emulated.loc8.clock.advance(3600)
    api.update_line_item(
        TENANT,
        callout.id,
        callout.to_draft().model_copy(update={"unit_price": Decimal("120.00")}),
        version=callout.version,
    )

    run = sync(emulated, integration_id)

    assert any(e["message"].startswith("Conflict:") for e in run["errors"]), run["errors"]
    assert Decimal(loc8_items(emulated)["CALL1"]["unit_price"]) == Decimal("120.00")
    assert app_kit.items()["CALL1"].unit_price == Decimal("120")


def test_an_item_name_longer_than_the_app_holds_keeps_its_whole_name_in_loc8(
    emulated, app_kit: AppKit
):
    integration_id, _ = activate(emulated)
    limit = app_kit.app(integration_id).profile.item_name_max_length
    long_name = "Tap washer set, assorted sizes, for mixer and spindle taps"[: limit + 8]
    api = emulated.container.loc8_api
    tap = next(i for i in api.iter_line_items(TENANT) if i.code == "TAP1")
    api.update_line_item(
        TENANT, tap.id, tap.to_draft().model_copy(update={"name": long_name}), version=tap.version
    )
    sync(emulated, integration_id)
    assert app_kit.items()["TAP1"].name == long_name[:limit]
    # The app's copy changes again (its price): Loc8 keeps the whole name.
    edit_in_app(app_kit, integration_id, "TAP1", "14.00", "price-in-the-app")
    again = sync(emulated, integration_id)
    assert again["counts"]["line_items"]["updated"] == 1
    assert loc8_items(emulated)["TAP1"]["name"] == long_name
    assert Decimal(loc8_items(emulated)["TAP1"]["unit_price"]) == Decimal("14.00")


def test_an_app_item_named_like_a_loc8_item_under_another_code_is_linked_not_copied(
    emulated, app_kit: AppKit
):
    """An app item without Loc8's code (one the bookkeeper made by hand, or an app
    whose items have no code of their own) is the same item when the names agree:
    neither side gets a second copy, and the run says what it linked."""
    app_kit.seed_item("TWS9", "Tap washer set", "12.50")

    integration_id, run = activate(emulated)

    def named(items: dict) -> list[str]:
        return [code for code, item in items.items() if _name(item) == "Tap washer set"]

    assert named(app_kit.items()) == ["TWS9"]
    assert named(loc8_items(emulated)) == ["TAP1"]
    assert any(e["record"] == "TAP1" and "same name" in e["message"] for e in run["errors"]), run[
        "errors"
    ]
    again = sync(emulated, integration_id)
    assert again["counts"]["line_items"]["created"] == 0
    assert named(app_kit.items()) == ["TWS9"]
    assert named(loc8_items(emulated)) == ["TAP1"]


def _name(item: object) -> str:
    return item["name"] if isinstance(item, dict) else item.name  # Loc8's JSON or an AppItem
