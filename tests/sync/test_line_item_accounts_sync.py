"""Which sales account the line-items sync writes on the app's items, through each app:
an explicit mapping moves an item, the default never moves an item the app already
has, and a new item starts from the Loc8 line item's own account when the app has it."""

from __future__ import annotations

import json
from decimal import Decimal

from chalicelib.domain.loc8 import Loc8LineItemDraft
from tests.support.app_kits import AppKit
from tests.support.auth import bearer
from tests.support.catalogue import LINE_ITEMS, SHORT_CODES, activate
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue
from tests.support.sync_runs import run_to_completion, sync


def line_item_ids(emulated: Emulated) -> dict[str, str]:
    return {i.code: i.id for i in emulated.container.loc8_api.iter_line_items(TENANT)}


def save_config(
    emulated: Emulated, app_kit: AppKit, integration_id: str, mapping: dict[str, str]
) -> None:
    saved = emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": LINE_ITEMS,
                "invoice_status": "AUTHORISED",
                "default_account_code": app_kit.accounts["200"],
                "line_item_accounts": mapping,
            }
        ),
    )
    assert saved.status_code == 200, saved.body


def activate_mapped(emulated: Emulated, app_kit: AppKit, codes_to_260: tuple[str, ...]) -> str:
    """Loc8's short-coded catalogue, first synced with some items mapped to 260."""
    loc8 = emulated.container.loc8_api
    ids = {
        code: loc8.create_line_item(
            TENANT,
            Loc8LineItemDraft(
                code=code, name=name, unit_price=Decimal("12.50"), tax_type_code="GST"
            ),
        ).id
        for code, name in SHORT_CODES.items()
    }
    integration_id = emulated.connect()
    other_revenue = app_kit.accounts["260"]
    save_config(emulated, app_kit, integration_id, {ids[c]: other_revenue for c in codes_to_260})
    run_to_completion(emulated, drain_queue())
    return integration_id


def test_saving_only_a_default_moves_no_item_the_app_has(emulated, app_kit: AppKit):
    integration_id = activate_mapped(emulated, app_kit, ("TAP1", "PIPE1"))
    assert app_kit.items()["TAP1"].account_code == app_kit.accounts["260"]
    before = {code: item.account_code for code, item in app_kit.items().items()}

    # As after a reconnect where the admin saved just a default account.
    save_config(emulated, app_kit, integration_id, {})
    run = sync(emulated, integration_id)

    after = {code: item.account_code for code, item in app_kit.items().items()}
    assert after == before, run
    assert after["TAP1"] == after["PIPE1"] == app_kit.accounts["260"]


def test_an_explicit_mapping_moves_the_item_and_only_it(emulated, app_kit: AppKit):
    integration_id, _ = activate(emulated)
    ids = line_item_ids(emulated)
    before = {code: item.account_code for code, item in app_kit.items().items()}

    save_config(emulated, app_kit, integration_id, {ids["CALL1"]: app_kit.accounts["260"]})
    sync(emulated, integration_id)

    after = {code: item.account_code for code, item in app_kit.items().items()}
    assert after["CALL1"] == app_kit.accounts["260"]
    assert {c: a for c, a in after.items() if c != "CALL1"} == {
        c: a for c, a in before.items() if c != "CALL1"
    }


def test_an_item_the_app_had_before_connecting_keeps_its_account(emulated, app_kit: AppKit):
    own = app_kit.own_item_code
    assert app_kit.items()[own].account_code == app_kit.accounts["200"]
    loc8 = emulated.container.loc8_api
    # Loc8 has the same item under another account: matched by code, the app's stays.
    loc8.create_line_item(
        TENANT,
        Loc8LineItemDraft(
            code=own,
            name="Replacement filter",
            unit_price=Decimal("45.00"),
            tax_type_code="GST",
            account_code=app_kit.accounts["260"],
        ),
    )
    integration_id, _ = activate(emulated)

    assert app_kit.items()[own].account_code == app_kit.accounts["200"]
    sync(emulated, integration_id)
    assert app_kit.items()[own].account_code == app_kit.accounts["200"]


def test_a_new_item_takes_the_loc8_account_when_the_app_has_it_else_the_default(
    emulated, app_kit: AppKit
):
    loc8 = emulated.container.loc8_api
    # Loc8's line items name accounts as the app does (the admin chose them from its chart).
    for code, account in (
        ("BKF1", app_kit.accounts["260"]),
        ("ADV1", app_kit.accounts["400"]),
        ("NONE1", None),
    ):
        loc8.create_line_item(
            TENANT,
            Loc8LineItemDraft(
                code=code,
                name=f"Item {code}",
                unit_price=Decimal("10.00"),
                tax_type_code="GST",
                account_code=account,
            ),
        )

    activate(emulated)

    items = app_kit.items()
    # Loc8's own, a revenue account in the app; an expense account gives the default.
    assert items["BKF1"].account_code == app_kit.accounts["260"]
    assert items["ADV1"].account_code == app_kit.accounts["200"]
    assert items["NONE1"].account_code == app_kit.accounts["200"]
