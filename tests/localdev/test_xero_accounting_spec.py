"""Xero's own OpenAPI spec is the oracle for the emulator's response bodies.

Every Accounting response any test in this folder receives is validated (see the
`server` and `xero` fixtures); these tests prove the checker itself is live and walk
every endpoint once, including its error answers.
"""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from localdev.xero import XeroEmulator
from tests.support.xero_api import AccountingClient, sale
from tests.support.xero_spec import MISSING_REASON, AccountingSpec, SpecViolation, spec_hook


@pytest.fixture
def spec(xero_spec: AccountingSpec | None) -> AccountingSpec:
    if xero_spec is None:
        pytest.skip(MISSING_REASON)
    return xero_spec


def test_patched_spec_is_valid_openapi(spec: AccountingSpec) -> None:
    assert spec.spec["x-patched-boolean-defaults"] == 23
    errors = list(OpenAPIV30SpecValidator(spec.spec).iter_errors())
    assert errors == []


def test_checker_rejects_nulls_wrong_types_and_unknown_operations(spec: AccountingSpec) -> None:
    def check(body: object, method: str = "GET", path: str = "/api.xro/2.0/Contacts") -> list:
        return spec.violations(method, path, 200, "application/json", json.dumps(body).encode())

    assert check({"Contacts": [{"Name": "A", "IsCustomer": False}]}) == []
    assert check({"Contacts": [{"Name": None}]})  # the spec has no `nullable`
    assert check({"Contacts": [{"ContactStatus": "SLEEPING"}]})
    assert check({"pagination": {"page": "1"}})
    assert check({}, method="GET", path="/api.xro/2.0/NoSuchThing")
    # Status-only answers outside the spec (401/403/404/406/429) carry no schema.
    assert spec.violations("GET", "/api.xro/2.0/Contacts", 404, "text/plain", b"x") == []


def test_requests_hook_raises_at_the_call(spec: AccountingSpec) -> None:
    class FakeResponse:
        url = "http://x/api.xro/2.0/Invoices"
        status_code = 200
        headers = {"Content-Type": "application/json"}
        content = b'{"Invoices": [{"Total": "12.00"}]}'

        class request:
            method = "GET"

    with pytest.raises(SpecViolation, match="Total"):
        spec_hook(spec)(FakeResponse())


def test_every_endpoint_answers_in_the_spec_shapes(
    api: AccountingClient, spec: AccountingSpec, emulator: XeroEmulator
) -> None:
    before = spec.checked
    [customer] = api.create("Contacts", {"Name": "Spec Walk Pty Ltd", "EmailAddress": "a@b.co"})
    contact_id = customer["ContactID"]
    assert api.post("/Contacts", {"Contacts": [{"ContactID": contact_id, "Phones": []}]}).ok
    assert api.post(f"/Contacts/{contact_id}", {"Contacts": [{"FirstName": "Sam"}]}).ok
    assert api.get("/Contacts", page=1, pageSize=5, summaryOnly="true").ok
    assert api.get(f"/Contacts/{contact_id}").ok
    assert api.get("/Organisation").ok
    assert api.get("/Accounts", where='Type=="BANK"').ok
    account_id = api.get("/Accounts").json()["Accounts"][0]["AccountID"]
    assert api.get(f"/Accounts/{account_id}").ok
    assert api.put("/Accounts", {"Code": "201", "Name": "Callout Income", "Type": "REVENUE"}).ok
    assert api.post(f"/Accounts/{account_id}", {"Accounts": [{"Description": "Main"}]}).ok
    assert api.get("/TaxRates").ok
    assert api.get("/TaxRates/OUTPUT").ok
    rate = {"Name": "Levy", "ReportTaxType": "OUTPUT", "TaxComponents": [{"Name": "L", "Rate": 2}]}
    assert api.put("/TaxRates", {"TaxRates": [rate]}).ok
    assert api.post("/TaxRates", {"TaxRates": [{"Name": "Levy", "Status": "ARCHIVED"}]}).ok
    [item] = api.create("Items", {"Code": "SPEC-1", "Name": "Spec item"})
    assert api.post("/Items", {"Items": [{"Code": "SPEC-1", "Description": "d"}]}).ok
    assert api.post(f"/Items/{item['ItemID']}", {"Items": [{"Code": "SPEC-1"}]}).ok
    assert api.get("/Items", unitdp=4).ok
    assert api.get(f"/Items/{item['ItemID']}").ok
    assert api.request("DELETE", f"/Items/{item['ItemID']}").status_code == 204
    [invoice] = api.create("Invoices", sale(contact_id, Status="AUTHORISED"))
    assert api.post("/Invoices", {"Invoices": [{**sale(contact_id), "Type": "ACCPAY"}]}).ok
    assert api.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Reference": "R"}]}).ok
    assert api.get("/Invoices", page=1, Statuses="AUTHORISED,DRAFT").ok
    assert api.get(f"/Invoices/{invoice['InvoiceID']}").ok
    payment = {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"}}
    payment.update(Date="2026-03-03", Amount=10)
    [paid] = api.create("Payments", payment)
    assert api.post("/Payments", payment).ok
    assert api.get("/Payments", page=1).ok
    assert api.get(f"/Payments/{paid['PaymentID']}").ok
    assert api.post(f"/Payments/{paid['PaymentID']}", {"Status": "DELETED"}).ok
    # Error answers the spec documents (400 Error) are validated too.
    assert api.put("/Invoices", {"Invoices": [{"Type": "ACCREC"}]}).status_code == 400
    assert api.put("/Contacts", {"Contacts": [{"Name": ""}]}, summarizeErrors="false").ok
    assert spec.checked - before >= 30
