"""Line items seeded in Loc8 and edited in the app, for the line-items tests."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.loc8 import Loc8LineItemDraft
from tests.support.app_kits import AppKit
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue, run_worker

LINE_ITEMS = {"tax_rates": True, "line_items": True}
# Codes every app can hold, so each test runs the same way through every app.
# Named apart from Loc8's demo catalogue, as an app with unique item names needs.
SHORT_CODES = {
    "TAP1": "Tap washer set",
    "PIPE1": "Copper pipe 15mm",
    "CALL1": "Call-out fee, short code",
}


def loc8_items(emulated: Emulated) -> dict[str, dict]:
    return {i["code"]: i for i in emulated.loc8.snapshot(TENANT)["line_items"]}


def activate(emulated: Emulated) -> tuple[str, dict]:
    loc8 = emulated.container.loc8_api
    for code, name in SHORT_CODES.items():
        loc8.create_line_item(
            TENANT,
            Loc8LineItemDraft(
                code=code, name=name, unit_price=Decimal("12.50"), tax_type_code="GST"
            ),
        )
    integration_id = emulated.activate(sync=LINE_ITEMS)
    [job] = drain_queue()
    assert run_worker(emulated.client, [job]) == {"batchItemFailures": []}
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    return integration_id, run


def code_limit(app_kit: AppKit, integration_id: str) -> int:
    return app_kit.app(integration_id).profile.item_code_max_length


def edit_in_app(app_kit: AppKit, integration_id: str, code: str, price: str, key: str) -> None:
    current = app_kit.items()[code]
    [saved] = app_kit.app(integration_id).save_items(
        [
            current.model_copy(
                update={
                    "unit_price": Decimal(price),
                    "account_code": app_kit.accounts["200"],
                    "updated_at": None,
                }
            )
        ],
        idempotency_key=key,
    )
    assert saved.ok, saved.errors
