"""The service syncing through the MYOB Business provider, API and worker as deployed,
against the MYOB and Loc8 emulators (MYOB's per-key limit of 8 calls a second in
force): activation brings both sides level, a quiet sync costs one read or one 304 per
domain, a payment taken in MYOB reaches Loc8, a Loc8 void deletes the MYOB sale, and a
further sync makes nothing twice."""

from __future__ import annotations

from decimal import Decimal

from localdev.myob import DEMO_COMPANY_FILE_ID
from tests.support.myob_provider import (
    LOC8_TENANT,
    RESOURCES,
    activate,
    card_name,
    loc8_snapshot,
    sales,
    sync,
)
from tests.support.myob_provider import myob_service as myob_service


def test_activation_brings_both_sides_level(myob_service):
    service = myob_service
    _integration_id, run = activate(service)
    loc8 = loc8_snapshot(service)

    in_myob = {card_name(c) for c in service.records("Contact/Customer")}
    assert in_myob == {c["name"] for c in loc8["customers"]}  # MYOB's own came to Loc8 too
    totals = {s["Number"]: Decimal(str(s["TotalAmount"])) for s in sales(service)}
    sent = [i for i in loc8["invoices"] if i["status"] in ("issued", "paid")]
    assert sent
    assert {i["number"]: Decimal(i["total"]) for i in sent} == totals
    taken_in_loc8 = sorted(
        Decimal(p["amount"]) for i in loc8["invoices"] for p in i["payments"] if p["app"] == "loc8"
    )
    assert taken_in_loc8
    in_myob_payments = sorted(
        Decimal(str(p["AmountReceived"])) for p in service.records("Sale/CustomerPayment")
    )
    assert in_myob_payments == taken_in_loc8
    # Items pair by code, or by name where the codes differ (MYOB's "Call-out fee" is
    # Loc8's); MYOB holds names of up to 30 characters.
    items = service.records("Inventory/Item")
    assert {i["Name"] for i in items} == {li["name"][:30] for li in loc8["line_items"]}
    assert len({i["Number"] for i in items}) == len(items) == len(loc8["line_items"])
    assert run["status"] == "SUCCEEDED"
    assert [(e["domain"], e["record"], e["message"]) for e in run["errors"]] == [
        (
            "line_items",
            "CALLOUT",
            "Linked to the MYOB Business item of the same name, whose code is SVC-CALL.",
        )
    ]


def test_a_quiet_sync_costs_one_read_or_one_304_per_domain(myob_service):
    service = myob_service
    integration_id, _run = activate(service)
    service.advance(600)
    before = dict(service.myob.calls)

    run = sync(service, integration_id)

    after = dict(service.myob.calls)
    assert {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)} == {
        "GET /accountright/{cf}/GeneralLedger/TaxCode": 1,
        "GET /accountright/{cf}/Contact/Customer": 1,
        "GET /accountright/{cf}/Inventory/Item": 1,
        "GET /accountright/{cf}/Sale/Invoice": 1,
        "GET /accountright/{cf}/Sale/CustomerPayment": 1,
    }
    assert run["status"] == "SUCCEEDED", run["errors"]


def test_a_myob_payment_reaches_loc8_and_a_loc8_void_deletes_the_myob_sale(myob_service):
    service = myob_service
    integration_id, _run = activate(service)
    service.advance(60)  # the payment is made later than the invoices were sent
    unpaid = sorted(
        (s for s in sales(service) if Decimal(str(s["BalanceDueAmount"])) == s["TotalAmount"]),
        key=lambda s: s["Number"],
    )
    paid_in_myob, voided_in_loc8 = unpaid[0], unpaid[1]
    bank = next(a for a in service.records("GeneralLedger/Account") if a["DisplayID"] == "1-1110")
    service.myob.create(
        DEMO_COMPANY_FILE_ID,
        "Sale/CustomerPayment",
        {
            "DepositTo": "Account",
            "Account": {"UID": bank["UID"]},
            "Customer": {"UID": paid_in_myob["Customer"]["UID"]},
            "Date": "2026-12-01T00:00:00",
            "Invoices": [
                {
                    "UID": paid_in_myob["UID"],
                    "Type": "Invoice",
                    "AmountApplied": paid_in_myob["BalanceDueAmount"],
                }
            ],
        },
    )
    tenant = service.loc8.tenant(LOC8_TENANT)
    [to_void] = [
        i for i in loc8_snapshot(service)["invoices"] if i["number"] == voided_in_loc8["Number"]
    ]
    tenant.set_status(to_void["id"], "voided", tenant.invoice(to_void["id"]).version)
    service.advance(120)
    counts = {r: len(service.records(r)) for r in RESOURCES}
    voided_layout = f"Sale/Invoice/{voided_in_loc8['InvoiceType']}"

    run = sync(service, integration_id)

    assert run["status"] == "SUCCEEDED", run["errors"]
    assert run["counts_by_direction"]["payments"]["to_loc8"]["created"] == 1
    [paid] = [
        i for i in loc8_snapshot(service)["invoices"] if i["number"] == paid_in_myob["Number"]
    ]
    assert paid["status"] == "paid"
    assert [(p["app"], Decimal(p["amount"])) for p in paid["payments"]] == [
        ("myob", Decimal(str(paid_in_myob["BalanceDueAmount"])))
    ]
    assert voided_in_loc8["UID"] not in {s["UID"] for s in sales(service)}
    # Nothing was made twice on the way, and a further sync makes nothing either.
    service.advance(600)
    sync(service, integration_id)
    assert {r: len(service.records(r)) for r in RESOURCES} == {
        **counts,
        voided_layout: counts[voided_layout] - 1,
    }


def test_a_lapsed_company_file_consent_asks_for_a_reconnect_that_makes_nothing_twice(
    myob_service,
):
    service = myob_service
    integration_id, _run = activate(service)
    service.myob.lapse_consent(DEMO_COMPANY_FILE_ID)
    service.advance(60)

    sync(service, integration_id)

    shown = service.call("get", f"/v1/integrations/{integration_id}").json_body
    assert shown["status"] == "NEEDS_RECONNECT"
    assert "consent lapsed or was withdrawn" in shown["attention"]["message"]
    counts = {r: len(service.records(r)) for r in RESOURCES}
    service.reauthorise(integration_id)
    service.advance(60)
    run = sync(service, integration_id)
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert {r: len(service.records(r)) for r in RESOURCES} == counts


def test_disconnecting_and_connecting_the_same_file_again_makes_nothing_twice(myob_service):
    service = myob_service
    first, _run = activate(service)
    counts = {r: len(service.records(r)) for r in RESOURCES}
    gone = service.call("delete", f"/v1/integrations/{first}")
    assert gone.status_code == 204
    service.advance(60)

    second, run = activate(service)

    assert second != first
    assert run["status"] == "SUCCEEDED", run["errors"]
    assert {r: len(service.records(r)) for r in RESOURCES} == counts
