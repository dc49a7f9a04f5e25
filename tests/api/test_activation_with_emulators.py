"""Connect, configure and sync with the real adapters: Xero and Loc8 core emulators, moto."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from localdev.xero import DEMO_TENANT_ID
from tests.support.auth import bearer
from tests.support.emulated import allow_and_finish
from tests.support.jobs import drain_queue, run_worker

TOKEN_ENDPOINT = "POST /connect/token"
TENANT = "demo"


@pytest.fixture
def stack(emulated):
    return emulated.client, emulated.xero, emulated.loc8


def connect(client: Client, emulator) -> str:
    added = client.http.post(
        "/v1/integrations",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    ).json_body
    allow_and_finish(client, emulator, added["authorize_url"], TENANT)
    return added["id"]


def test_configure_across_a_token_expiry_then_the_first_sync_takes_xeros_tax_rates(stack):
    client, emulator, loc8 = stack
    integration_id = connect(client, emulator)
    accounts = client.http.get(
        f"/v1/integrations/{integration_id}/accounts?class=REVENUE", headers=bearer(TENANT)
    ).json_body["accounts"]
    revenue = [a["code"] for a in accounts if a["status"] == "ACTIVE"]
    assert "200" in revenue
    line_items = client.http.get(
        f"/v1/integrations/{integration_id}/line-items", headers=bearer(TENANT)
    ).json_body["line_items"]
    assert len(line_items) == 15

    # The admin takes a long coffee: the access token expires before Save.
    emulator.clock.advance(31 * 60)
    refreshes_before = emulator.calls[TOKEN_ENDPOINT]
    mapping = {item["id"]: "200" if "Labour" in item["name"] else "260" for item in line_items}
    saved = client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": {
                    "invoices": True,
                    "line_items": True,
                    "tax_rates": True,
                    "customers": True,
                },
                "invoice_status": "DRAFT",
                "line_item_accounts": mapping,
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    assert saved.json_body["status"] == "ACTIVE"
    assert emulator.calls[TOKEN_ENDPOINT] - refreshes_before == 1

    [job] = drain_queue()
    assert job["trigger"] == "activation"
    assert run_worker(client, [job]) == {"batchItemFailures": []}

    xero_revenue_rates = {
        rate["Name"]: rate["EffectiveRate"]
        for rate in emulator.accounting_state(DEMO_TENANT_ID)["TaxRates"]
        if rate["Status"] == "ACTIVE" and rate["CanApplyToRevenue"]
    }
    tax_types = loc8.snapshot(TENANT)["tax_types"]
    loc8_tax_types = {t["name"]: float(t["rate"]) for t in tax_types if t["active"]}
    assert loc8_tax_types == xero_revenue_rates
    # Loc8's own tax types took Xero's rates in place, keeping their codes.
    assert {"GST", "GST_FREE", "BAS_EXCLUDED"} <= {t["code"] for t in tax_types if t["active"]}
    run = client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    assert run["status"] == "SUCCEEDED"
