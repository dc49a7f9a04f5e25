"""Test controls for the Accounting API: organisations, seeding, read-back, reset,
call counts and faults on Accounting paths."""

from __future__ import annotations

import pytest

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import AccountingClient, sale
from tests.support.xero_flow import XeroFlow


def test_seeding_10000_contacts_pages_them_all(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    contacts = [
        {"Name": f"Bulk Customer {n:05d}", "EmailAddress": f"bulk{n}@example.com"}
        for n in range(10_000)
    ]
    # How fast this is belongs to `make bench` (bench/bench_xero_emulator.py).
    created = emulator.seed(DEMO_TENANT_ID, Contacts=contacts)
    assert len(created["Contacts"]) == 10_000
    last = api.get("/Contacts", page=101, pageSize=100).json()
    assert last["pagination"] == {
        "page": 101,
        "pageSize": 100,
        "pageCount": 101,
        "itemCount": 10_010,
    }
    assert [c["Name"] for c in last["Contacts"]][-1] == "Bulk Customer 09999"


def test_seed_applies_the_api_rules(emulator: XeroEmulator, xero: XeroFlow) -> None:
    created = emulator.seed(
        DEMO_TENANT_ID,
        Contacts=[{"Name": "Seeded Customer", "ContactNumber": "S-1"}],
        Invoices=[
            {
                "Type": "ACCREC",
                "Contact": {"ContactNumber": "S-1"},
                "Status": "AUTHORISED",
                "DueDate": "2026-03-31",
                "LineItems": [{"ItemCode": "CALLOUT", "Quantity": 1}],
            }
        ],
    )
    [invoice_id] = created["Invoices"]
    state = emulator.accounting_state(DEMO_TENANT_ID)
    [invoice] = [i for i in state["Invoices"] if i["InvoiceID"] == invoice_id]
    assert (invoice["Total"], invoice["Contact"]["Name"]) == (104.5, "Seeded Customer")
    with pytest.raises(ValueError, match="already assigned to another contact"):
        emulator.seed(DEMO_TENANT_ID, Contacts=[{"Name": "Seeded Customer"}])
    with pytest.raises(ValueError, match="unknown collections"):
        emulator.seed(DEMO_TENANT_ID, Widgets=[{}])

    over_http = xero.control(
        "POST", f"/organisations/{DEMO_TENANT_ID}/seed", {"Items": [{"Code": "HTTP-1"}]}
    )
    assert over_http.status_code == 201
    assert len(over_http.json()["Items"]) == 1
    refused = xero.control("POST", f"/organisations/{DEMO_TENANT_ID}/seed", {"Items": [{}]})
    assert refused.status_code == 400
    assert "Price List Item Code must be supplied" in refused.json()["error"]
    unknown = xero.control("POST", "/organisations/00000000-0000-0000-0000-000000000000/seed", {})
    assert unknown.status_code == 404


def test_state_read_back(xero: XeroFlow, emulator: XeroEmulator) -> None:
    state = xero.control("GET", f"/organisations/{DEMO_TENANT_ID}/state").json()
    assert state["Organisation"]["Name"] == "Demo Company (AU)"
    assert [len(state[c]) for c in ("Contacts", "Invoices", "Payments")] == [11, 6, 1]
    bills = [i["Contact"]["Name"] for i in state["Invoices"] if i["Type"] == "ACCPAY"]
    assert sorted(bills) == ["24 Locks", "Capital Cab Co", "PowerDirect", "SMART Agency"]
    accounts = {a["Code"]: a for a in state["Accounts"]}
    assert accounts["200"]["Name"] == "Sales"
    assert accounts["210"]["Status"] == "ARCHIVED"
    assert accounts["820"]["SystemAccount"] == "GST"
    assert accounts["090"]["Type"] == "BANK"
    rates = {r["TaxType"]: r for r in state["TaxRates"]}
    assert (rates["OUTPUT"]["Name"], rates["OUTPUT"]["EffectiveRate"]) == ("GST on Income", 10.0)
    assert rates["EXEMPTOUTPUT"]["CanApplyToRevenue"] is True
    assert rates["INPUT"]["CanApplyToRevenue"] is False
    assert rates["BASEXCLUDED"]["CanApplyToRevenue"] is True
    assert state == emulator.accounting_state(DEMO_TENANT_ID)


def test_organisations_get_the_chart_unless_told_otherwise(xero: XeroFlow) -> None:
    charted = xero.control("POST", "/organisations", {"name": "Charted"}).json()
    empty = xero.control("POST", "/organisations", {"name": "Blank", "chart": False}).json()
    assert xero.control("POST", "/organisations", {"name": "X", "chart": "no"}).status_code == 400
    charted_state = xero.control("GET", f"/organisations/{charted['tenantId']}/state").json()
    assert len(charted_state["Accounts"]) > 40
    assert len(charted_state["TaxRates"]) > 10
    assert charted_state["Contacts"] == []  # sample contacts are the demo company's only
    empty_state = xero.control("GET", f"/organisations/{empty['tenantId']}/state").json()
    assert (empty_state["Accounts"], empty_state["TaxRates"]) == ([], [])


def test_reset_restores_the_demo_books(api: AccountingClient, emulator: XeroEmulator) -> None:
    api.create("Contacts", {"Name": "Gone After Reset"})
    emulator.limits.configure(per_minute=1)
    api.flow.control("POST", "/reset")
    names = [c["Name"] for c in emulator.accounting_state(DEMO_TENANT_ID)["Contacts"]]
    assert "Gone After Reset" not in names
    assert "Bayside Club" in names
    assert emulator.limits.limits.per_minute == 60


def test_accounting_calls_are_counted_per_template(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    contact_id = api.one("Contacts", "CUST-001")["ContactID"]
    api.create("Invoices", sale(contact_id))
    api.get("/Invoices", page=1)
    api.request("GET", "/Invoices", headers={"xero-tenant-id": None})  # 403s count too
    calls = api.flow.control("GET", "/calls").json()
    assert calls["GET /api.xro/2.0/Contacts/{ContactID}"] == 1
    assert calls["PUT /api.xro/2.0/Invoices"] == 1
    assert calls["GET /api.xro/2.0/Invoices"] == 2
    assert emulator.calls["GET /api.xro/2.0/Invoices"] == 2


def test_faults_apply_to_accounting_paths(api: AccountingClient, emulator: XeroEmulator) -> None:
    emulator.faults.add(
        "GET",
        "/api.xro/2.0/Contacts/{ContactID}",
        status=503,
        body="The Xero API is currently offline for maintenance",
    )
    outage = api.get("/Contacts/CUST-001")
    assert (outage.status_code, outage.text) == (
        503,
        "The Xero API is currently offline for maintenance",
    )
    assert api.get("/Contacts/CUST-001").status_code == 200
    emulator.faults.add("POST", "/api.xro/2.0/Contacts", mode="commit_then_drop")
    lost = api.post("/Contacts", {"Name": "Committed Anyway"})
    assert lost.status_code == 504
    assert api.get("/Contacts", where='Name=="Committed Anyway"').json()["Contacts"]
