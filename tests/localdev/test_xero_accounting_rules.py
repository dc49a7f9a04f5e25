"""Xero's validation rules that integrations trip on, with Xero's messages."""

from __future__ import annotations

from typing import Any

import pytest

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import AccountingClient, messages_of, sale


@pytest.fixture
def customer_id(api: AccountingClient) -> str:
    return api.one("Contacts", "CUST-003")["ContactID"]  # City Agency


def _line(**fields: Any) -> dict[str, Any]:
    return {"Description": "Service call", "Quantity": 1, "UnitAmount": 100, **fields}


def _rejected(response) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["ErrorNumber"], body["Type"]) == (10, "ValidationException")
    assert body["Message"] == "A validation exception occurred"
    return messages_of(response)


# --- Contacts -------------------------------------------------------------------------------
def test_contact_names_are_unique_among_active_contacts(api: AccountingClient) -> None:
    response = api.put("/Contacts", {"Contacts": [{"Name": "boom fm "}]})
    assert _rejected(response) == [
        "The contact name boom fm is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    ]
    [element] = response.json()["Elements"]
    assert element["ContactID"] == "00000000-0000-0000-0000-000000000000"
    assert element["HasValidationErrors"] is True
    # An archived contact's name is free to reuse...
    [reused] = api.create("Contacts", {"Name": "Old Customer Pty Ltd"})
    # ...and it cannot be restored while an active contact holds it.
    archived = api.get("/Contacts", where='ContactStatus=="ARCHIVED"', includeArchived="true")
    old_id = archived.json()["Contacts"][0]["ContactID"]
    restore = api.post(f"/Contacts/{old_id}", {"Contacts": [{"ContactStatus": "ACTIVE"}]})
    assert "already assigned to another contact" in _rejected(restore)[0]
    archive = api.post(f"/Contacts/{reused['ContactID']}", {"ContactStatus": "ARCHIVED"})
    assert archive.status_code == 200
    assert api.post(f"/Contacts/{old_id}", {"ContactStatus": "ACTIVE"}).status_code == 200


def test_contact_number_email_and_name_rules(api: AccountingClient) -> None:
    assert _rejected(api.put("/Contacts", {"Name": "Dup", "ContactNumber": "cust-001"})) == [
        "Another contact has this contact number. Please enter a unique contact number."
    ]
    assert _rejected(api.put("/Contacts", {"Name": "Bad Mail", "EmailAddress": "nope"})) == [
        "Email address must be valid."
    ]
    assert _rejected(api.put("/Contacts", {"FirstName": "No", "LastName": "Name"})) == [
        "The contact name must be specified."
    ]


def test_post_contacts_upserts_by_id_or_number(api: AccountingClient) -> None:
    [created] = api.create("Contacts", {"Name": "Upsert Co", "ContactNumber": "EXT-9"})
    by_number = api.post("/Contacts", {"Contacts": [{"ContactNumber": "EXT-9", "Name": "Up Co"}]})
    assert by_number.json()["Contacts"][0]["ContactID"] == created["ContactID"]
    by_id = api.post(
        "/Contacts", {"Contacts": [{"ContactID": created["ContactID"], "FirstName": "Uma"}]}
    ).json()["Contacts"][0]
    assert (by_id["Name"], by_id["FirstName"]) == ("Up Co", "Uma")
    # Input property names are case-insensitive, as Xero's deserialiser is.
    lower = api.post(f"/Contacts/{created['ContactID']}", {"contacts": [{"lastname": "Lee"}]})
    assert lower.json()["Contacts"][0]["LastName"] == "Lee"
    assert api.post(
        "/Contacts/00000000-0000-0000-0000-000000000009", {"Name": "x"}
    ).status_code == (404)


def test_malformed_body_fails_whole_request(api: AccountingClient, emulator: XeroEmulator) -> None:
    before = len(emulator.books(DEMO_TENANT_ID).contacts)
    body = {"Contacts": [{"Name": "Fine"}, {"Name": "Broken", "Addresses": "nowhere"}]}
    response = api.put("/Contacts", body)
    assert response.status_code == 400
    assert response.json()["Type"] == "PostDataInvalidException"
    assert len(emulator.books(DEMO_TENANT_ID).contacts) == before  # nothing saved
    bad_date = api.put("/Invoices", {"Type": "ACCREC", "Date": "2026-13-01"})
    assert bad_date.json()["Message"] == "The string '2026-13-01' is not a valid AllXsd value."
    not_json = api.http.put(
        f"{api.base_url}/Contacts",
        data="<Contacts/>",
        headers={**api.headers(), "Content-Type": "application/xml"},
    )
    assert not_json.status_code == 400


# --- Summarize errors -----------------------------------------------------------------------
def test_summarize_errors_false_gives_partial_success(api: AccountingClient) -> None:
    body = {"Contacts": [{"Name": "Fresh One"}, {"Name": "Boom FM"}, {"Name": "Fresh Two"}]}
    response = api.put("/Contacts", body, summarizeErrors="false")
    assert response.status_code == 200
    results = response.json()["Contacts"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "OK"]
    assert "ValidationErrors" not in results[0]
    assert results[1]["ValidationErrors"][0]["Message"].startswith("The contact name Boom FM")
    assert results[1]["HasValidationErrors"] is True
    assert len(api.get("/Contacts", where='Name.StartsWith("Fresh")').json()["Contacts"]) == 2


def test_default_summarize_errors_saves_valid_elements_anyway(api: AccountingClient) -> None:
    """Xero's batch gotcha: the 400 hides that the valid elements were created."""
    body = {"Contacts": [{"Name": "Saved Quietly"}, {"Name": "Boom FM"}]}
    response = api.put("/Contacts", body)
    assert response.status_code == 400
    assert [e["Name"] for e in response.json()["Elements"]] == ["Boom FM"]
    assert len(api.get("/Contacts", where='Name=="Saved Quietly"').json()["Contacts"]) == 1


# --- Invoices: numbers, lines, accounts, tax ------------------------------------------------
def test_sales_invoice_numbers_are_unique(api: AccountingClient, customer_id: str) -> None:
    [auto] = api.create("Invoices", sale(customer_id))
    assert auto["InvoiceNumber"] == "INV-0003"  # after the demo's INV-0001/0002
    assert _rejected(api.put("/Invoices", sale(customer_id, InvoiceNumber="inv-0001"))) == [
        "Invoice # must be unique."
    ]
    # Bills (ACCPAY) carry the supplier's number, which need not be unique.
    bill = {**sale(customer_id), "Type": "ACCPAY", "InvoiceNumber": "PD-88213"}
    assert api.put("/Invoices", bill).status_code == 200
    # POST with an existing sales number updates that invoice instead.
    update = api.post("/Invoices", {"InvoiceNumber": "INV-0003", "Reference": "Job 77"})
    assert update.json()["Invoices"][0]["InvoiceID"] == auto["InvoiceID"]


def test_line_items_need_a_description(api: AccountingClient, customer_id: str) -> None:
    response = api.put("/Invoices", sale(customer_id, {"Quantity": 1, "UnitAmount": 5}))
    assert _rejected(response) == ["The description field is mandatory for each line item."]
    # An item code supplies the description (and price, account and tax).
    [invoice] = api.create("Invoices", sale(customer_id, {"ItemCode": "CALLOUT", "Quantity": 2}))
    [line] = invoice["LineItems"]
    assert (line["Description"], line["UnitAmount"], line["LineAmount"]) == (
        "Call-out fee (first 30 minutes)",
        95.0,
        190.0,
    )
    assert (line["AccountCode"], line["TaxType"], line["TaxAmount"]) == ("200", "OUTPUT", 19.0)
    assert line["Item"]["Code"] == "CALLOUT"


@pytest.mark.parametrize(
    ("line", "status", "expected"),
    [
        (
            _line(AccountCode="999"),
            "DRAFT",
            ["Account code '999' is not a valid code for this document."],
        ),
        (
            _line(AccountCode="210"),
            "DRAFT",
            [
                "Account code '210' has been archived, or has been deleted. "
                "Each line item must reference a valid account."
            ],
        ),
        (
            _line(AccountCode="090"),
            "DRAFT",
            ["Account code '090' is not a valid code for this document."],
        ),
        (
            _line(AccountCode="820"),
            "DRAFT",
            ["Account code '820' is not a valid code for this document."],
        ),
        (_line(), "AUTHORISED", ["Account code must be specified"]),
        (
            _line(AccountCode="200", TaxType="INPUT"),
            "DRAFT",
            ["The TaxType code 'INPUT' cannot be used with account code '200'."],
        ),
        (
            _line(AccountCode="200", TaxType="GST on Income"),
            "DRAFT",
            [
                "The TaxType code GST on Income does not exist or cannot be used for this "
                "type of transaction.",
                "The TaxType code 'GST on Income' cannot be used with account code '200'.",
            ],
        ),
        (
            _line(AccountCode="200", TaxType="TAX001"),
            "DRAFT",
            [
                "The TaxType code TAX001 does not exist or cannot be used for this type of "
                "transaction.",
                "The TaxType code 'TAX001' cannot be used with account code '200'.",
            ],
        ),
        (
            _line(TaxType="INPUT"),
            "DRAFT",
            [
                "The TaxType code INPUT does not exist or cannot be used for this type of "
                "transaction."
            ],
        ),
    ],
)
def test_account_and_tax_rules(
    api: AccountingClient, customer_id: str, line: dict, status: str, expected: list[str]
) -> None:
    assert _rejected(api.put("/Invoices", sale(customer_id, line, Status=status))) == expected


def test_draft_may_leave_account_out_and_bills_use_expense_rules(
    api: AccountingClient, customer_id: str
) -> None:
    [draft] = api.create("Invoices", sale(customer_id, _line(), Status="DRAFT"))
    assert "AccountCode" not in draft["LineItems"][0]
    bill = {**sale(customer_id, _line(AccountCode="429", TaxType="INPUT")), "Type": "ACCPAY"}
    [created] = api.create("Invoices", bill)
    assert created["TotalTax"] == 10.0
    wrong = {**sale(customer_id, _line(AccountCode="429", TaxType="OUTPUT")), "Type": "ACCPAY"}
    assert _rejected(api.put("/Invoices", wrong)) == [
        "The TaxType code 'OUTPUT' cannot be used with account code '429'."
    ]


@pytest.mark.parametrize(
    ("amount_types", "lines", "totals"),
    [
        # Exclusive: tax added per line, each rounded to 2 dp (3.335 -> 3.34, twice).
        ("Exclusive", [("33.35", "200"), ("33.35", "200")], (66.70, 6.68, 73.38)),
        # Inclusive: tax taken out of each line (9.0909 -> 9.09 and 0.0045 -> 0.00), not
        # out of the total (100.05 * 10/110 = 9.0955 -> 9.10).
        ("Inclusive", [("100", "200"), ("0.05", "200")], (90.96, 9.09, 100.05)),
        # GST-free income: no tax on 270 Interest Income (Input Taxed).
        ("Exclusive", [("50", "270")], (50.0, 0.0, 50.0)),
        ("NoTax", [("100", "200"), ("20", "200")], (120.0, 0.0, 120.0)),
    ],
)
def test_line_amount_maths(
    api: AccountingClient,
    customer_id: str,
    amount_types: str,
    lines: list[tuple[str, str]],
    totals: tuple[float, float, float],
) -> None:
    body = sale(
        customer_id,
        *[_line(UnitAmount=amount, AccountCode=code) for amount, code in lines],
        LineAmountTypes=amount_types,
    )
    [invoice] = api.create("Invoices", body)
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == totals
    assert invoice["AmountDue"] == totals[2]


def test_missing_amounts_are_filled_in_and_mismatches_refused(
    api: AccountingClient, customer_id: str
) -> None:
    only_total = {"Description": "Fixed price", "LineAmount": 80, "AccountCode": "200"}
    [invoice] = api.create("Invoices", sale(customer_id, only_total))
    [line] = invoice["LineItems"]
    assert (line["Quantity"], line["UnitAmount"], line["LineAmount"]) == (1.0, 80.0, 80.0)
    discounted = _line(Quantity=3, UnitAmount=10, DiscountRate=10, AccountCode="200")
    [invoice] = api.create("Invoices", sale(customer_id, discounted))
    assert invoice["LineItems"][0]["LineAmount"] == 27.0
    assert invoice["IsDiscounted"] is True
    mismatch = _line(Quantity=2, UnitAmount=10.004, LineAmount=20.01, AccountCode="200")
    message = _rejected(api.put("/Invoices", sale(customer_id, mismatch)))[0]
    assert message.startswith("The line total 20.01 does not match the expected line total 20.00")
    # With unitdp=4 the unit amount keeps 4 decimals and the same total is consistent.
    ok = api.put("/Invoices", {"Invoices": [sale(customer_id, mismatch)]}, unitdp=4)
    assert ok.status_code == 200
    assert ok.json()["Invoices"][0]["LineItems"][0]["UnitAmount"] == 10.004


def test_line_items_kept_by_id_and_replaced_otherwise(
    api: AccountingClient, customer_id: str
) -> None:
    [invoice] = api.create(
        "Invoices", sale(customer_id, _line(AccountCode="200"), _line(AccountCode="260"))
    )
    first, second = invoice["LineItems"]
    update = {"LineItems": [{"LineItemID": first["LineItemID"], "Quantity": 3}, _line()]}
    updated = api.post(f"/Invoices/{invoice['InvoiceID']}", update).json()["Invoices"][0]
    kept, added = updated["LineItems"]
    assert kept["LineItemID"] == first["LineItemID"]
    assert (kept["Quantity"], kept["LineAmount"], kept["AccountCode"]) == (3.0, 300.0, "200")
    assert added["LineItemID"] not in (first["LineItemID"], second["LineItemID"])
    assert updated["SubTotal"] == 400.0
    # Not sending LineItems leaves the lines alone.
    same = api.post(f"/Invoices/{invoice['InvoiceID']}", {"Reference": "R2"}).json()["Invoices"]
    assert [line["LineItemID"] for line in same[0]["LineItems"]] == [
        kept["LineItemID"],
        added["LineItemID"],
    ]


def test_invoice_needs_a_contact_and_a_known_one(api: AccountingClient) -> None:
    no_contact = {"Type": "ACCREC", "LineItems": [_line(AccountCode="200")]}
    assert _rejected(api.put("/Invoices", no_contact)) == [
        "A Contact must be specified for this type of transaction"
    ]
    unknown = sale("00000000-0000-0000-0000-000000000077")
    assert _rejected(api.put("/Invoices", unknown)) == [
        "The contact with the specified ContactID could not be found."
    ]
    # A Name that matches no contact creates one, as Xero does.
    named = {**sale("x"), "Contact": {"Name": "Brand New Customer"}}
    [invoice] = api.create("Invoices", named)
    created = api.one("Contacts", invoice["Contact"]["ContactID"])
    assert (created["Name"], created["IsCustomer"]) == ("Brand New Customer", True)


# --- Invoice status flow ------------------------------------------------------------------
def _set_status(api: AccountingClient, invoice_id: str, status: str):
    return api.post(f"/Invoices/{invoice_id}", {"Invoices": [{"Status": status}]})


def test_status_flow(api: AccountingClient, customer_id: str) -> None:
    [invoice] = api.create("Invoices", sale(customer_id))
    invoice_id = invoice["InvoiceID"]
    assert invoice["Status"] == "DRAFT"
    assert _rejected(_set_status(api, invoice_id, "VOIDED")) == [
        "Invoice not of valid status for modification"
    ]
    assert _rejected(_set_status(api, invoice_id, "PAID")) == [
        "Invoice not of valid status for modification"
    ]
    assert _set_status(api, invoice_id, "SUBMITTED").json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert _set_status(api, invoice_id, "AUTHORISED").json()["Invoices"][0]["Status"] == (
        "AUTHORISED"
    )
    for status in ("DRAFT", "SUBMITTED", "DELETED"):
        assert _rejected(_set_status(api, invoice_id, status)) == [
            "Invoice not of valid status for modification"
        ]
    voided = _set_status(api, invoice_id, "VOIDED").json()["Invoices"][0]
    assert (voided["Status"], voided["AmountDue"]) == ("VOIDED", 0.0)
    assert _rejected(_set_status(api, invoice_id, "AUTHORISED")) == [
        "Invoice not of valid status for modification"
    ]
    [draft] = api.create("Invoices", sale(customer_id, InvoiceNumber="DEL-1"))
    assert _set_status(api, draft["InvoiceID"], "DELETED").json()["Invoices"][0]["Status"] == (
        "DELETED"
    )
    # A deleted invoice's number can be used again.
    assert api.put("/Invoices", sale(customer_id, InvoiceNumber="DEL-1")).status_code == 200
    assert _rejected(api.put("/Invoices", sale(customer_id, Status="PAID"))) == [
        "A new invoice must be DRAFT, SUBMITTED or AUTHORISED."
    ]


def test_authorised_invoice_without_lines_is_refused(
    api: AccountingClient, customer_id: str
) -> None:
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": customer_id},
        "Status": "AUTHORISED",
        "DueDate": "2026-03-16",
    }
    assert _rejected(api.put("/Invoices", body)) == ["One or more line items must be specified"]
    assert api.put("/Invoices", {**body, "Status": "DRAFT"}).status_code == 200


# --- Payments -------------------------------------------------------------------------------
def _pay(invoice: dict, amount: float, **fields: Any) -> dict[str, Any]:
    return {
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-03-05",
        "Amount": amount,
        **fields,
    }


def test_payments_reduce_amount_due_and_mark_paid(api: AccountingClient, customer_id: str) -> None:
    [invoice] = api.create("Invoices", sale(customer_id, Status="AUTHORISED"))
    assert invoice["Total"] == 110.0
    [part] = api.create("Payments", _pay(invoice, 10.5))
    assert part["PaymentType"] == "ACCRECPAYMENT"
    after_part = api.one("Invoices", invoice["InvoiceID"])
    assert (after_part["Status"], after_part["AmountDue"], after_part["AmountPaid"]) == (
        "AUTHORISED",
        99.5,
        10.5,
    )
    assert _rejected(_set_status(api, invoice["InvoiceID"], "VOIDED")) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
    assert _rejected(api.post("/Payments", _pay(invoice, 99.51))) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]
    by_number = _pay(invoice, 99.5)
    by_number["Invoice"] = {"InvoiceNumber": invoice["InvoiceNumber"]}
    by_number["Account"] = {"Code": "615"}  # a clearing account with payments enabled
    assert api.post("/Payments", by_number).status_code == 200
    paid = api.one("Invoices", invoice["InvoiceID"])
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0.0, 110.0)
    assert paid["FullyPaidOnDate"] == "/Date(1772668800000+0000)/"  # 2026-03-05
    assert len(paid["Payments"]) == 2
    assert _rejected(api.post("/Payments", _pay(invoice, 1))) == [
        "Payments can only be made against Authorised documents",
        "Payment amount exceeds the amount outstanding on this document",
    ]
    assert _rejected(api.post(f"/Invoices/{invoice['InvoiceID']}", {"Reference": "x"})) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]


def test_deleting_a_payment_restores_amount_due(api: AccountingClient, customer_id: str) -> None:
    [invoice] = api.create("Invoices", sale(customer_id, Status="AUTHORISED"))
    [payment] = api.create("Payments", _pay(invoice, 110))
    assert api.one("Invoices", invoice["InvoiceID"])["Status"] == "PAID"
    deleted = api.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert deleted.json()["Payments"][0]["Status"] == "DELETED"
    reopened = api.one("Invoices", invoice["InvoiceID"])
    assert (reopened["Status"], reopened["AmountDue"], reopened["Payments"]) == (
        "AUTHORISED",
        110.0,
        [],
    )
    assert "FullyPaidOnDate" not in reopened
    again = api.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert _rejected(again) == ["This payment has already been deleted."]
    assert (
        api.get("/Payments", where='Status=="DELETED"').json()["Payments"][0]["PaymentID"]
        == (payment["PaymentID"])
    )


def test_payment_account_and_invoice_rules(api: AccountingClient, customer_id: str) -> None:
    [draft] = api.create("Invoices", sale(customer_id))
    assert _rejected(api.post("/Payments", _pay(draft, 5))) == [
        "Payments can only be made against Authorised documents"
    ]
    [invoice] = api.create("Invoices", sale(customer_id, Status="AUTHORISED"))
    assert _rejected(api.post("/Payments", _pay(invoice, 5, Account={"Code": "200"}))) == [
        "Payments can only be made to or from a BANK account, or an account with "
        "'Enable payments to this account' set."
    ]
    assert _rejected(api.post("/Payments", _pay(invoice, 5, Account={"Code": "nope"}))) == [
        "Account could not be found"
    ]
    missing = _pay(invoice, 5, Invoice={"InvoiceID": "00000000-0000-0000-0000-000000000055"})
    assert _rejected(api.post("/Payments", missing)) == ["Invoice could not be found"]
    assert _rejected(api.post("/Payments", _pay(invoice, 0))) == [
        "The payment Amount must be greater than zero."
    ]
    bank = api.get("/Accounts", where='Code=="091"').json()["Accounts"][0]
    by_id = _pay(invoice, 5, Account={"AccountID": bank["AccountID"]})
    assert api.post("/Payments", by_id).json()["Payments"][0]["Account"]["Code"] == "091"


# --- Items, accounts, tax rates --------------------------------------------------------------
def test_item_rules(api: AccountingClient) -> None:
    assert _rejected(api.put("/Items", {"Items": [{"Name": "No code"}]})) == [
        "Price List Item Code must be supplied"
    ]
    assert _rejected(api.put("/Items", {"Items": [{"Code": "callout"}]})) == [
        "Price List Item with Code 'callout' already exists"
    ]
    bad_sale = {"Code": "X1", "SalesDetails": {"AccountCode": "400", "TaxType": "OUTPUT"}}
    assert _rejected(api.put("/Items", {"Items": [bad_sale]})) == [
        "The TaxType code 'OUTPUT' cannot be used with account code '400'."
    ]
    not_sold = {"Code": "X2", "IsSold": False, "SalesDetails": {"UnitPrice": 5}}
    [item] = api.create("Items", not_sold)
    assert item["SalesDetails"] == {}
    upsert = api.post("/Items", {"Items": [{"Code": "X2", "Name": "Renamed"}]}).json()["Items"]
    assert upsert[0]["ItemID"] == item["ItemID"]
    assert api.request("DELETE", f"/Items/{item['ItemID']}").status_code == 204
    assert api.get(f"/Items/{item['ItemID']}").status_code == 404


def test_account_and_tax_rate_rules(api: AccountingClient) -> None:
    assert _rejected(api.put("/Accounts", {"Code": "200", "Name": "Again", "Type": "REVENUE"})) == [
        "Please enter a unique Code."
    ]
    assert _rejected(api.put("/Accounts", {"Code": "203", "Name": "sales", "Type": "REVENUE"})) == [
        "Please enter a unique Name."
    ]
    too_long = {"Code": "12345678901", "Name": "Long", "Type": "EXPENSE"}
    assert _rejected(api.put("/Accounts", too_long)) == [
        "Account Code is too long. Maximum of 10 characters allowed"
    ]
    [account] = api.create("Accounts", {"Code": "205", "Name": "Repairs Income", "Type": "REVENUE"})
    assert (account["Class"], account["TaxType"], account["Status"]) == (
        "REVENUE",
        "OUTPUT",
        "ACTIVE",
    )
    archive = api.post(f"/Accounts/{account['AccountID']}", {"Status": "ARCHIVED"})
    assert archive.json()["Accounts"][0]["Status"] == "ARCHIVED"
    rate = {
        "Name": "Levy 2%",
        "ReportTaxType": "OUTPUT",
        "TaxComponents": [{"Name": "L", "Rate": 2}],
    }
    [created] = api.create("TaxRates", rate)
    assert (created["TaxType"], created["EffectiveRate"]) == ("TAX002", 2.0)
    assert created["CanApplyToRevenue"] is True
    assert _rejected(api.put("/TaxRates", {"TaxRates": [rate]})) == [
        "A tax rate named 'Levy 2%' already exists."
    ]
