"""Connect, configure and watch the pump run the first sync, all over real HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import requests

from localdev.stack import LocalStack
from localdev.xero import DEMO_TENANT_ID
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
    loc8_before = requests.get(f"{stack.loc8_url}/_emulator/tenants/demo", timeout=TIMEOUT).json()
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
        _assert_tax_types_took_xeros_rates_in_place(
            stack, integration_id, xero_rates, loc8_before, loc8_state
        )
        integration = requests.get(
            f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT
        ).json()
        assert integration["last_sync"]["run_id"] == run["id"]
    finally:
        requests.delete(f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT)


def _assert_tax_types_took_xeros_rates_in_place(
    stack: LocalStack, integration_id: str, xero_rates: dict, before: dict, after: dict
) -> None:
    """Loc8 keeps its three tax types (same ids, active) with Xero's rates, written with two
    places; line items and invoices keep valid tax types; an issued invoice stays editable."""
    kept = {t["code"]: t for t in after["tax_types"]}
    for code in ("GST", "GST_FREE", "BAS_EXCLUDED"):
        [was] = [t for t in before["tax_types"] if t["code"] == code]
        assert (kept[code]["id"], kept[code]["active"]) == (was["id"], True)
    assert all(t["active"] for t in after["tax_types"])
    matched = requests.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/tax-types",
        headers=admin(),
        timeout=TIMEOUT,
    ).json()["tax_types"]
    for tax_type in matched:
        assert Decimal(tax_type["rate"]) == Decimal(str(xero_rates[tax_type["tax_rate_code"]]))
        assert len(kept[tax_type["code"]]["rate"].split(".")[1]) >= 2  # "10.00"
    assert {t["tax_rate_code"] for t in matched if t["code"] == "GST"} == {"OUTPUT"}
    active = {code for code, t in kept.items() if t["active"]}
    assert {i["tax_type_code"] for i in after["line_items"]} <= active
    assert {line["tax_type_code"] for i in after["invoices"] for line in i["lines"]} <= active
    issued = next(i for i in after["invoices"] if i["status"] == "issued")
    keys = ("line_item_id", "description", "quantity", "unit_price", "tax_type_code")
    edited = requests.put(
        f"{stack.loc8_url}/_emulator/tenants/demo/invoices/{issued['id']}",
        json={
            "customer_id": issued["customer_id"],
            "reference": issued["reference"],
            "issue_date": issued["issue_date"],
            "due_date": issued["due_date"],
            "status": "issued",
            "lines": [{k: line[k] for k in keys} for line in issued["lines"]],
        },
        timeout=TIMEOUT,
    )
    assert edited.status_code == 200, edited.text


def _money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _xero_date(value: str) -> str:
    """Xero's /Date(ms+0000)/ as an ISO date."""
    millis = int(value.split("(")[1].split("+")[0].split(")")[0])
    return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()


def _loc8_invoices(stack: LocalStack) -> list[dict]:
    return requests.get(f"{stack.loc8_url}/_emulator/tenants/demo", timeout=TIMEOUT).json()[
        "invoices"
    ]


def _xero_invoices(stack: LocalStack) -> dict[str, dict]:
    state = requests.get(
        f"{stack.app_url('xero')}/_emulator/organisations/{DEMO_TENANT_ID}/state", timeout=TIMEOUT
    ).json()
    return {
        i["InvoiceNumber"]: i
        for i in state["Invoices"]
        if i["Type"] == "ACCREC" and i["Status"] != "DELETED"
    }


def _taken_in_loc8(invoice: dict) -> list[tuple[Decimal, str]]:
    return sorted(
        (_money(p["amount"]), p["paid_on"]) for p in invoice["payments"] if p["app"] == "loc8"
    )


def _in_xero(invoice: dict) -> list[tuple[Decimal, str]]:
    return sorted((_money(p["Amount"]), _xero_date(p["Date"])) for p in invoice["Payments"])


def _assert_paid_alike(stack: LocalStack) -> list[dict]:
    """Every invoice with payments taken in Loc8 is paid alike in Xero; returns them."""
    xero = _xero_invoices(stack)
    taken = [
        i for i in _loc8_invoices(stack) if i["status"] in ("issued", "paid") and _taken_in_loc8(i)
    ]
    for invoice in taken:
        in_xero = xero[invoice["number"]]
        # The same payments both sides: taken in Loc8, and any made in Xero.
        in_loc8 = sorted((_money(p["amount"]), p["paid_on"]) for p in invoice["payments"])
        assert _in_xero(in_xero) == in_loc8, invoice["number"]
        assert _money(in_xero["AmountDue"]) == _money(invoice["amount_due"]), invoice["number"]
        fully_paid = _money(invoice["amount_due"]) == 0
        assert in_xero["Status"] == ("PAID" if fully_paid else "AUTHORISED"), invoice["number"]
    return taken


def test_payments_go_both_ways_and_a_second_sync_changes_nothing(stack: LocalStack):
    api = stack.api_url
    added = requests.post(
        f"{api}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    ).json()
    integration_id = added["id"]

    def runs() -> list[dict]:
        return requests.get(
            f"{api}/v1/integrations/{integration_id}/sync-runs", headers=admin(), timeout=TIMEOUT
        ).json()["runs"]

    def finished(count: int):
        def check():
            found = runs()
            done = len(found) >= count and found[0]["status"] not in ("QUEUED", "RUNNING")
            return found[0] if done else None

        return check

    def sync_now() -> dict:
        before = len(runs())
        queued = requests.post(
            f"{api}/v1/integrations/{integration_id}/sync", headers=admin(), timeout=TIMEOUT
        )
        assert queued.status_code == 202, queued.text
        return wait_for(finished(before + 1), 120)

    try:
        assert connect(stack, added["authorize_url"])["status"] == "AUTHORISED"
        saved = requests.put(
            f"{api}/v1/integrations/{integration_id}/config",
            json={
                "sync": {
                    "invoices": True,
                    "payments": True,
                    "line_items": True,
                    "tax_rates": True,
                    "customers": True,
                },
                "invoice_status": "DRAFT",  # paid invoices still arrive approved
                "default_account_code": "200",
                "payment_account_code": "090",
                "line_item_accounts": {},
            },
            headers=admin(),
            timeout=TIMEOUT,
        )
        assert saved.status_code == 200, saved.text
        activation = wait_for(finished(1), 180)
        assert activation["status"] == "SUCCEEDED", activation

        # After activation every invoice paid in Loc8 is paid in Xero, part paid alike.
        taken = _assert_paid_alike(stack)
        assert len([i for i in taken if i["status"] == "paid"]) >= 15
        assert len([i for i in taken if i["status"] == "issued"]) >= 3

        # A further payment in Loc8, and one made in Xero (on an approved invoice).
        part_paid, approved = [i for i in taken if i["status"] == "issued"][:2]
        further = requests.post(
            f"{stack.loc8_url}/_emulator/tenants/demo/invoices/{part_paid['id']}/payments",
            json={
                "external_id": f"rcpt-e2e-{integration_id}",
                "amount": part_paid["amount_due"],
                "paid_on": "2026-11-27",
                "reference": "Card",
            },
            timeout=TIMEOUT,
        )
        assert further.status_code == 201, further.text
        xero_approved = _xero_invoices(stack)[approved["number"]]
        seeded = requests.post(
            f"{stack.app_url('xero')}/_emulator/organisations/{DEMO_TENANT_ID}/seed",
            json={
                "Payments": [
                    {
                        "Invoice": {"InvoiceID": xero_approved["InvoiceID"]},
                        "Account": {"Code": "090"},
                        "Date": "2026-11-27",
                        "Amount": "30.00",
                    }
                ]
            },
            timeout=TIMEOUT,
        )
        assert seeded.status_code == 201, seeded.text
        [xero_payment] = seeded.json()["Payments"]

        run = sync_now()

        assert run["status"] == "SUCCEEDED", run
        assert run["counts_by_direction"]["payments"]["to_app"]["created"] == 1
        assert run["counts_by_direction"]["payments"]["to_loc8"]["created"] == 1
        _assert_paid_alike(stack)
        assert _xero_invoices(stack)[part_paid["number"]]["Status"] == "PAID"
        [imported] = [
            p
            for i in _loc8_invoices(stack)
            if i["id"] == approved["id"]
            for p in i["payments"]
            if p["app"] == "xero"
        ]
        assert imported["external_id"] == xero_payment
        assert _money(imported["amount"]) == Decimal("30.00")
        assert len(_xero_invoices(stack)[approved["number"]]["Payments"]) == 2  # no echo

        # A second sync changes nothing, either way.
        quiet = sync_now()
        assert quiet["status"] == "SUCCEEDED", quiet
        for domain, directions in quiet["counts_by_direction"].items():
            for direction, counts in directions.items():
                assert counts["created"] == counts["updated"] == 0, (domain, direction)
    finally:
        requests.delete(f"{api}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT)
