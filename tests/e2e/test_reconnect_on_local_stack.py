"""Disconnect and reconnect the same Xero organisation over real HTTP: the config comes
back (unsaved until saved), and saving it changes no Xero item nor duplicates one."""

from __future__ import annotations

import time
from collections import Counter

import requests

from localdev.stack import LocalStack
from localdev.xero import DEMO_TENANT_ID
from tests.support.local_stack import admin, connect

TIMEOUT = 10
# Items a bookkeeper codes to Other Revenue (260): CALLOUT is one Xero already had.
REMAPPED = ("CALLOUT", "LAB-STD", "FEE-BACKFLOW")


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up after {seconds} s")


def add_and_connect(stack: LocalStack) -> str:
    added = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    ).json()
    assert connect(stack, added["authorize_url"])["status"] == "AUTHORISED"
    return added["id"]


def finished_activation(stack: LocalStack, integration_id: str) -> dict:
    def finished():
        runs = requests.get(
            f"{stack.api_url}/v1/integrations/{integration_id}/sync-runs",
            headers=admin(),
            timeout=TIMEOUT,
        ).json()["runs"]
        return runs[0] if runs and runs[0]["status"] not in ("QUEUED", "RUNNING") else None

    run = wait_for(finished)
    assert run["trigger"] == "activation"
    return run


def xero_items(stack: LocalStack) -> list[dict]:
    state = requests.get(
        f"{stack.app_url('xero')}/_emulator/organisations/{DEMO_TENANT_ID}/state", timeout=TIMEOUT
    ).json()
    return state["Items"]


def item_accounts(stack: LocalStack) -> dict[str, str | None]:
    return {i["Code"]: (i.get("SalesDetails") or {}).get("AccountCode") for i in xero_items(stack)}


def test_a_reconnect_to_the_same_organisation_keeps_its_config_and_moves_nothing(
    stack: LocalStack,
):
    api = stack.api_url
    first = add_and_connect(stack)
    second = None
    try:
        listed = requests.get(
            f"{api}/v1/integrations/{first}/line-items", headers=admin(), timeout=TIMEOUT
        ).json()["line_items"]
        ids = {item["code"]: item["id"] for item in listed}
        saved = requests.put(
            f"{api}/v1/integrations/{first}/config",
            json={
                "sync": {"tax_rates": True, "line_items": True},
                "invoice_status": "DRAFT",
                "default_account_code": "200",
                "line_item_accounts": {ids[code]: "260" for code in REMAPPED},
            },
            headers=admin(),
            timeout=TIMEOUT,
        )
        assert saved.status_code == 200, saved.text
        finished_activation(stack, first)
        accounts = item_accounts(stack)
        assert {code: accounts[code] for code in REMAPPED} == dict.fromkeys(REMAPPED, "260")
        last_saved = requests.get(
            f"{api}/v1/integrations/{first}/config", headers=admin(), timeout=TIMEOUT
        ).json()
        gone = requests.delete(f"{api}/v1/integrations/{first}", headers=admin(), timeout=TIMEOUT)
        assert gone.status_code == 204

        second = add_and_connect(stack)
        shown = requests.get(
            f"{api}/v1/integrations/{second}/config", headers=admin(), timeout=TIMEOUT
        )
        assert shown.status_code == 200, shown.text
        assert shown.json() == {**last_saved, "source": "previous_connection"}
        assert shown.headers["ETag"] == '"0"'

        again = requests.put(
            f"{api}/v1/integrations/{second}/config",
            json=shown.json(),
            headers={**admin(), "If-Match": shown.headers["ETag"]},
            timeout=TIMEOUT,
        )
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "ACTIVE"
        run = finished_activation(stack, second)

        assert run["status"] == "SUCCEEDED", run
        assert item_accounts(stack) == accounts
        assert all(n == 1 for n in Counter(i["Code"] for i in xero_items(stack)).values())
        loc8 = requests.get(f"{stack.loc8_url}/_emulator/tenants/demo", timeout=TIMEOUT).json()
        assert all(n == 1 for n in Counter(i["code"] for i in loc8["line_items"]).values())
    finally:
        for integration_id in (first, second):
            if integration_id:
                requests.delete(
                    f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT
                )
