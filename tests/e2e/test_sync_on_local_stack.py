"""Connect, configure and watch the pump run the first sync, all over real HTTP."""

from __future__ import annotations

import time

import requests

from localdev.stack import LocalStack
from tests.support.local_stack import admin, connect

TIMEOUT = 10


def wait_for(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up after {seconds} s")


def test_configure_then_the_pump_syncs_tax_rates_into_loc8(stack: LocalStack):
    api = stack.api_url
    added = requests.post(
        f"{api}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    ).json()
    integration_id = added["id"]
    try:
        assert connect(stack, added["authorize_url"])["status"] == "AUTHORISED"
        line_items = requests.get(
            f"{api}/v1/integrations/{integration_id}/line-items", headers=admin(), timeout=TIMEOUT
        ).json()["line_items"]
        saved = requests.put(
            f"{api}/v1/integrations/{integration_id}/config",
            json={
                "sync": {
                    "invoices": False,
                    "line_items": False,
                    "tax_rates": True,
                    "customers": False,
                },
                "invoice_status": "DRAFT",
                "default_account_code": "200",
                "line_item_accounts": {line_items[0]["id"]: "260"},
            },
            headers=admin(),
            timeout=TIMEOUT,
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "ACTIVE"

        def finished_run():
            runs = requests.get(
                f"{api}/v1/integrations/{integration_id}/sync-runs",
                headers=admin(),
                timeout=TIMEOUT,
            ).json()["runs"]
            return runs if runs and runs[0]["status"] not in ("QUEUED", "RUNNING") else None

        [run] = wait_for(finished_run)
        assert (run["trigger"], run["status"]) == ("activation", "SUCCEEDED")

        xero_rates = {
            rate["code"]: rate["rate"]
            for rate in requests.get(
                f"{api}/v1/integrations/{integration_id}/tax-rates",
                headers=admin(),
                timeout=TIMEOUT,
            ).json()["tax_rates"]
            if rate["status"] == "ACTIVE"
        }
        loc8_state = requests.get(
            f"{stack.loc8_url}/_emulator/tenants/demo", timeout=TIMEOUT
        ).json()
        loc8_rates = {t["code"]: float(t["rate"]) for t in loc8_state["tax_types"] if t["active"]}
        assert loc8_rates
        assert all(xero_rates[code] == rate for code, rate in loc8_rates.items())
        integration = requests.get(
            f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT
        ).json()
        assert integration["last_sync"]["run_id"] == run["id"]
    finally:
        requests.delete(f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT)
