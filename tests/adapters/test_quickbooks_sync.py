"""The service syncing through the QuickBooks Online provider, API and worker as deployed,
against the QuickBooks and Loc8 emulators: activation brings both sides level, a quiet
sync of every domain costs one call (the change feed rides in the settings batch), a
payment made in QuickBooks reaches Loc8, a Loc8 void voids the QuickBooks invoice, and
nothing is made twice."""

from __future__ import annotations

from decimal import Decimal

from localdev.quickbooks import DEMO_REALM_ID
from localdev.quickbooks.accounting.demo import seed_records
from tests.support.quickbooks_provider import LOC8_TENANT, Service
from tests.support.quickbooks_provider import qbo_service as qbo_service

BATCH = "POST /v3/company/{realm_id}/batch"
EVERY_DOMAIN = {
    "tax_rates": True,
    "customers": True,
    "line_items": True,
    "invoices": True,
    "payments": True,
}


def _books(service: Service, entity: str) -> list[dict]:
    company = service.qbo.companies.company(DEMO_REALM_ID)
    assert company is not None
    with company.books.lock:
        return [dict(record) for record in company.books.table(entity).values()]


def _by_name(service: Service, entity: str) -> dict[str, str]:
    return {r["Name"]: r["Id"] for r in _books(service, entity)}


def _loc8(service: Service) -> dict:
    return service.loc8.snapshot(LOC8_TENANT)


def _activate(service: Service) -> tuple[str, dict]:
    integration_id = service.connect()
    accounts = _by_name(service, "Account")
    codes = _by_name(service, "TaxCode")
    saved = service.call(
        "put",
        f"/v1/integrations/{integration_id}/config",
        {
            "sync": EVERY_DOMAIN,
            "invoice_status": "AUTHORISED",
            "default_account_code": accounts["Sales"],
            "line_item_accounts": {},
            "payment_account_code": accounts["Business Cheque Account"],
            # Loc8's "GST Free Income" has no same-named QuickBooks code, and three
            # QuickBooks codes are 0%: the admin picks one, as the page asks.
            "tax_rate_mappings": {
                "GST_FREE": codes["GST free"],
                "BAS_EXCLUDED": codes["Out of scope"],
            },
        },
    )
    assert saved.status_code == 200, saved.body
    service.run_jobs()
    [run] = service.call("get", f"/v1/integrations/{integration_id}/sync-runs").json_body["runs"]
    return integration_id, service.run(integration_id, run["id"])


def _sync(service: Service, integration_id: str) -> dict:
    queued = service.call("post", f"/v1/integrations/{integration_id}/sync").json_body
    service.run_jobs()
    return service.run(integration_id, queued["run_id"])


def test_activation_brings_both_sides_level(qbo_service):
    service = qbo_service
    _integration_id, run = _activate(service)
    loc8 = _loc8(service)
    in_qbo = {c["DisplayName"] for c in _books(service, "Customer")}
    assert {c["name"] for c in loc8["customers"]} <= in_qbo
    assert in_qbo <= {c["name"] for c in loc8["customers"]}  # QuickBooks' own came to Loc8
    totals = {i["DocNumber"]: Decimal(str(i["TotalAmt"])) for i in _books(service, "Invoice")}
    sent = [i for i in loc8["invoices"] if i["status"] in ("issued", "paid")]
    assert sent
    assert {i["number"]: Decimal(i["total"]) for i in sent} == totals
    # Each line is sold as its line item's QuickBooks item: found by Loc8's code (the
    # SKU), or, for CALLOUT, QuickBooks' own "Call-out fee" (no SKU) it was linked to
    # by name (see below).
    codes = {li["id"]: li["code"] for li in loc8["line_items"]}
    by_sku = {i.get("Sku") or i["Name"]: i["Name"] for i in _books(service, "Item")}
    by_sku["CALLOUT"] = "Call-out fee"
    held = {i["DocNumber"]: i for i in _books(service, "Invoice")}
    for invoice in sent:
        sold_as = [
            line["SalesItemLineDetail"]["ItemRef"]["name"]
            for line in held[invoice["number"]]["Line"]
            if line["DetailType"] == "SalesItemLineDetail"
        ]
        expected = [
            by_sku.get(codes.get(line["line_item_id"] or "", ""), "Sales (Loc8)")
            for line in invoice["lines"]
        ]
        assert sold_as == expected, invoice["number"]
    taken_in_loc8 = sorted(
        Decimal(p["amount"]) for i in loc8["invoices"] for p in i["payments"] if p["app"] == "loc8"
    )
    assert taken_in_loc8
    assert sorted(Decimal(str(p["TotalAmt"])) for p in _books(service, "Payment")) == taken_in_loc8
    # QuickBooks' demo item "Call-out fee" has no SKU: it is Loc8's CALLOUT by name, so
    # the two are linked (and noted) instead of a second copy on either side.
    assert [(e["domain"], e["record"]) for e in run["errors"]] == [("line_items", "CALLOUT")]
    assert "same name" in run["errors"][0]["message"]
    assert [li["code"] for li in loc8["line_items"]].count("Call-out fee") == 0
    assert [i["Name"] for i in _books(service, "Item")].count("Call-out fee") == 1


def test_a_quiet_sync_of_every_domain_is_one_call(qbo_service):
    service = qbo_service
    integration_id, _run = _activate(service)
    service.advance(600)
    before = dict(service.qbo.calls)
    run = _sync(service, integration_id)
    after = dict(service.qbo.calls)
    # The settings batch carries the change feed's question: no /cdc call of its own.
    assert {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)} == {
        BATCH: 1
    }
    assert run["status"] == "SUCCEEDED", run["errors"]


def test_a_quickbooks_payment_reaches_loc8_and_a_loc8_void_reaches_quickbooks(qbo_service):
    service = qbo_service
    integration_id, _run = _activate(service)
    service.advance(60)  # the payment is made later than the invoices were sent
    company = service.qbo.companies.company(DEMO_REALM_ID)
    assert company is not None
    unpaid = sorted(
        (i for i in _books(service, "Invoice") if Decimal(str(i["Balance"])) > 0),
        key=lambda i: i["DocNumber"],
    )
    paid_in_qbo, voided_in_loc8 = unpaid[0], unpaid[1]
    seed_records(
        company,
        "Payment",
        [
            {
                "CustomerRef": paid_in_qbo["CustomerRef"],
                "TotalAmt": paid_in_qbo["Balance"],
                "TxnDate": "2026-11-30",
                "DepositToAccountRef": {
                    "value": _by_name(service, "Account")["Business Cheque Account"]
                },
                "Line": [
                    {
                        "Amount": paid_in_qbo["Balance"],
                        "LinkedTxn": [{"TxnId": paid_in_qbo["Id"], "TxnType": "Invoice"}],
                    }
                ],
            }
        ],
        service.qbo.clock.now(),
    )
    tenant = service.loc8.tenant(LOC8_TENANT)
    [to_void] = [
        i for i in _loc8(service)["invoices"] if i["number"] == voided_in_loc8["DocNumber"]
    ]
    tenant.set_status(to_void["id"], "voided", tenant.invoice(to_void["id"]).version)
    service.advance(120)
    counts = {e: len(_books(service, e)) for e in ("Customer", "Invoice", "Payment", "Item")}
    run = _sync(service, integration_id)
    assert run["counts_by_direction"]["payments"]["to_loc8"]["created"] == 1
    [paid] = [i for i in _loc8(service)["invoices"] if i["number"] == paid_in_qbo["DocNumber"]]
    assert paid["status"] == "paid"
    assert [(p["app"], Decimal(p["amount"])) for p in paid["payments"]] == [
        ("quickbooks", Decimal(str(paid_in_qbo["Balance"])))
    ]
    [voided] = [i for i in _books(service, "Invoice") if i["Id"] == voided_in_loc8["Id"]]
    assert voided["PrivateNote"] == "Voided"
    assert voided["TotalAmt"] == 0
    # Nothing was made twice on the way.
    service.advance(600)
    _sync(service, integration_id)
    assert {e: len(_books(service, e)) for e in counts} == counts
