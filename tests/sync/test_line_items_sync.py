"""Line items ↔ Xero items against both emulators: once each, both ways, newer wins."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.accounting import AppItem
from localdev.xero import DEMO_TENANT_ID
from tests.conftest import bearer
from tests.emulated import TENANT, Emulated
from tests.jobs.conftest import drain_queue, run_worker
from tests.sync.running import sync

LINE_ITEMS = {"tax_rates": True, "line_items": True}


def xero_items(emulated: Emulated) -> dict[str, dict]:
    return {i["Code"]: i for i in emulated.xero.accounting_state(DEMO_TENANT_ID)["Items"]}


def loc8_items(emulated: Emulated) -> dict[str, dict]:
    return {i["code"]: i for i in emulated.loc8.snapshot(TENANT)["line_items"]}


def activate(emulated: Emulated) -> tuple[str, dict]:
    integration_id = emulated.activate(sync=LINE_ITEMS)
    [job] = drain_queue()
    assert run_worker(emulated.client, [job]) == {"batchItemFailures": []}
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    return integration_id, run


def test_activation_makes_both_catalogues_whole_without_duplicates(emulated):
    _integration_id, run = activate(emulated)
    assert run["status"] == "SUCCEEDED", run["errors"]
    xero, loc8 = xero_items(emulated), loc8_items(emulated)
    assert set(loc8) <= set(xero)
    assert set(xero) <= set(loc8)
    labour = xero["LAB-STD"]["SalesDetails"]
    assert labour["AccountCode"] == "200"  # the config's default account
    assert labour["TaxType"] == "OUTPUT"  # Loc8's "GST" is Xero's "GST on Income"
    assert Decimal(str(labour["UnitPrice"])) == Decimal(loc8["LAB-STD"]["unit_price"])
    assert "FILTER-01" in loc8  # Xero's own item came into Loc8


def test_a_no_change_sync_writes_nothing(emulated):
    integration_id, _ = activate(emulated)
    xero_before, loc8_before = emulated.xero.calls, emulated.loc8.calls
    run = sync(emulated, integration_id)
    xero_calls = emulated.xero.calls - xero_before
    loc8_calls = emulated.loc8.calls - loc8_before
    assert xero_calls["GET /api.xro/2.0/Items"] == 1
    assert not any(k.startswith(("PUT", "POST")) for k in xero_calls)
    assert not any(k.startswith(("PUT", "POST")) for k in loc8_calls)
    assert run["counts"]["line_items"]["created"] == run["counts"]["line_items"]["updated"] == 0


def test_edits_flow_both_ways(emulated):
    integration_id, _ = activate(emulated)
    api = emulated.container.loc8_api
    labour = next(i for i in api.iter_line_items(TENANT) if i.code == "LAB-STD")
    api.update_line_item(
        TENANT,
        labour.id,
        labour.to_draft().model_copy(update={"unit_price": Decimal("132.00")}),
        version=labour.version,
    )
    filter_item = xero_items(emulated)["FILTER-01"]
    app = emulated.container.providers.app_for(emulated.container.repo.get(TENANT, integration_id))
    [saved] = app.save_items(
        [
            AppItem(
                id=filter_item["ItemID"],
                code="FILTER-01",
                name="Water filter cartridge",
                unit_price=Decimal("49.50"),
                account_code="200",
                tax_type="OUTPUT",
            )
        ],
        idempotency_key="edit-in-xero",
    )
    assert saved.ok

    run = sync(emulated, integration_id)

    assert run["counts"]["line_items"]["updated"] == 2, run
    assert Decimal(str(xero_items(emulated)["LAB-STD"]["SalesDetails"]["UnitPrice"])) == Decimal(
        "132"
    )
    assert Decimal(loc8_items(emulated)["FILTER-01"]["unit_price"]) == Decimal("49.50")
    assert loc8_items(emulated)["FILTER-01"]["name"] == "Water filter cartridge"
    again = sync(emulated, integration_id)
    assert again["counts"]["line_items"]["updated"] == 0


def test_changed_on_both_sides_the_later_change_wins_and_is_recorded(emulated):
    integration_id, _ = activate(emulated)
    api = emulated.container.loc8_api
    callout = next(i for i in api.iter_line_items(TENANT) if i.code == "CALLOUT")
    app = emulated.container.providers.app_for(emulated.container.repo.get(TENANT, integration_id))
    xero_callout = xero_items(emulated)["CALLOUT"]
    app.save_items(
        [
            AppItem(
                id=xero_callout["ItemID"],
                code="CALLOUT",
                name="Call-out fee",
                unit_price=Decimal("99.00"),
                account_code="200",
                tax_type="OUTPUT",
            )
        ],
        idempotency_key="xero-first",
    )
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
    assert Decimal(loc8_items(emulated)["CALLOUT"]["unit_price"]) == Decimal("120.00")
    assert Decimal(str(xero_items(emulated)["CALLOUT"]["SalesDetails"]["UnitPrice"])) == Decimal(
        "120"
    )
