"""Where Xero refuses, or answers with less, the emulator does too (localdev/xero/RULES.md).

One test per rule, over HTTP; every answer is checked against Xero's OpenAPI spec by
the `server` fixture. The four kinds: rules an approved document must meet, what list
endpoints leave out, typing and nulls in `where`, and request size limits.
"""

from __future__ import annotations

import uuid

import pytest

from localdev.xero.accounting.gate import MAX_BODY_BYTES, MAX_IDS, MAX_URL_LENGTH, XERO_ORIGIN
from localdev.xero.accounting.problems import NOT_FOUND_TEXT
from localdev.xero.accounting.where import NULL_GUARD_MESSAGE
from tests.support.xero_api import AccountingClient, messages_of, sale

DUE_DATE_MESSAGE = "The document DueDate field must be specified."
SUMMARY_CONTACT_FIELDS = {
    "ContactID",
    "Name",
    "Addresses",
    "Phones",
    "ContactGroups",
    "ContactPersons",
    "HasValidationErrors",
}


@pytest.fixture
def customer_id(api: AccountingClient) -> str:
    return api.one("Contacts", "CUST-003")["ContactID"]  # City Agency


def _undated(customer_id: str, **fields: str) -> dict:
    body = sale(customer_id, **fields)
    del body["DueDate"]
    return body


def _query_error(response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["ErrorNumber"], body["Type"]) == (16, "QueryParseException")
    return body["Message"]


# --- 1. What an approved document must have -------------------------------------------------
@pytest.mark.parametrize("status", ["AUTHORISED", "SUBMITTED"])
def test_an_invoice_up_for_payment_needs_a_due_date(
    api: AccountingClient, customer_id: str, status: str
) -> None:
    refused = api.put("/Invoices", _undated(customer_id, Status=status))
    assert refused.status_code == 400
    assert messages_of(refused) == [DUE_DATE_MESSAGE]
    [dated] = api.create("Invoices", sale(customer_id, Status=status))
    assert dated["DueDateString"] == "2026-03-16T00:00:00"


def test_a_draft_without_a_due_date_cannot_be_approved_until_it_has_one(
    api: AccountingClient, customer_id: str
) -> None:
    [draft] = api.create("Invoices", _undated(customer_id, Status="DRAFT"))
    assert "DueDate" not in draft
    path = f"/Invoices/{draft['InvoiceID']}"
    approve = api.post(path, {"Status": "AUTHORISED"})
    assert messages_of(approve) == [DUE_DATE_MESSAGE]
    approved = api.post(path, {"Status": "AUTHORISED", "DueDate": "2026-04-01"})
    assert approved.json()["Invoices"][0]["Status"] == "AUTHORISED"


def test_the_same_rule_holds_per_element_with_summarize_errors_false(
    api: AccountingClient, customer_id: str
) -> None:
    body = {"Invoices": [_undated(customer_id, Status="AUTHORISED"), sale(customer_id)]}
    answer = api.put("/Invoices", body, summarizeErrors="false").json()["Invoices"]
    assert [element["StatusAttributeString"] for element in answer] == ["ERROR", "OK"]
    assert answer[0]["ValidationErrors"] == [{"Message": DUE_DATE_MESSAGE}]


def test_an_archived_contact_cannot_be_used_on_a_new_invoice(api: AccountingClient) -> None:
    archived = api.get("/Contacts", where='ContactStatus=="ARCHIVED"', includeArchived="true")
    old = archived.json()["Contacts"][0]
    refused = api.put("/Invoices", sale(old["ContactID"], Status="DRAFT"))
    assert messages_of(refused) == [
        f"The contact {old['Name']} is archived and cannot be used on a new transaction."
    ]
    [invoice] = api.create("Invoices", sale(api.one("Contacts", "CUST-003")["ContactID"]))
    moved = api.post(
        f"/Invoices/{invoice['InvoiceID']}", {"Contact": {"ContactID": old["ContactID"]}}
    )
    assert moved.status_code == 400


def test_a_payment_needs_a_date_stricter_than_xero(api: AccountingClient, customer_id: str) -> None:
    """Xero would take today's date; the emulator makes the client say which day."""
    [invoice] = api.create("Invoices", sale(customer_id, Status="AUTHORISED"))
    payment = {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"}}
    refused = api.put("/Payments", {"Payments": [{**payment, "Amount": 5}]})
    assert messages_of(refused) == ["A payment Date must be specified."]
    dated = api.put("/Payments", {"Payments": [{**payment, "Amount": 5, "Date": "2026-03-05"}]})
    assert dated.status_code == 200


# --- 2. What list endpoints leave out -------------------------------------------------------
def test_an_invoice_list_without_page_has_no_line_items(
    api: AccountingClient, customer_id: str
) -> None:
    [created] = api.create("Invoices", sale(customer_id))
    unpaged = api.get("/Invoices").json()["Invoices"]
    assert unpaged
    assert all(invoice["LineItems"] == [] for invoice in unpaged)
    by_id = api.get("/Invoices", IDs=created["InvoiceID"]).json()["Invoices"]
    assert by_id[0]["LineItems"] == []  # IDs= is still a list
    by_number = api.get("/Invoices", InvoiceNumbers=created["InvoiceNumber"]).json()
    assert by_number["Invoices"][0]["LineItems"] == []
    paged = api.get("/Invoices", IDs=created["InvoiceID"], page=1).json()["Invoices"]
    assert [line["Description"] for line in paged[0]["LineItems"]] == ["Service call"]
    single = api.one("Invoices", created["InvoiceID"])
    assert [line["Description"] for line in single["LineItems"]] == ["Service call"]


def test_contacts_in_a_list_of_invoices_are_summaries(
    api: AccountingClient, customer_id: str
) -> None:
    [created] = api.create("Invoices", sale(customer_id))
    for params in ({}, {"page": 1}):
        listed = api.get("/Invoices", IDs=created["InvoiceID"], **params).json()["Invoices"]
        contact = listed[0]["Contact"]
        assert set(contact) == SUMMARY_CONTACT_FIELDS, params
        assert (contact["ContactID"], contact["Name"]) == (customer_id, "City Agency")
        assert contact["Addresses"] == contact["Phones"] == []
    # One invoice by id carries the contact's details.
    single = api.one("Invoices", created["InvoiceID"])["Contact"]
    assert single["ContactStatus"] == "ACTIVE"
    assert single["Addresses"]


# --- 3. Typing and nulls in `where` ----------------------------------------------------------
@pytest.mark.parametrize(
    ("collection", "where", "types"),
    [
        ("Contacts", 'IsCustomer=="true"', ("Boolean", "String")),
        ("Contacts", 'ContactID=="5b96e86b-418e-48e8-8949-308c14aec278"', ("Guid", "String")),
        ("Invoices", 'Date>="2026-01-01"', ("DateTime", "String")),
        ("Invoices", 'Total>"100"', ("Decimal", "String")),
        ("Invoices", "Status==true", ("String", "Boolean")),
    ],
)
def test_where_refuses_operands_of_different_types(
    api: AccountingClient, collection: str, where: str, types: tuple[str, str]
) -> None:
    message = _query_error(api.get(f"/{collection}", where=where))
    operator = "==" if "==" in where else (">=" if ">=" in where else ">")
    assert message.startswith(
        f"Operator '{operator}' incompatible with operand types '{types[0]}' and '{types[1]}'"
    )


def test_where_takes_each_type_in_its_own_form(api: AccountingClient, customer_id: str) -> None:
    for collection, where in (
        ("Contacts", "IsCustomer==true"),
        ("Contacts", f'ContactID==Guid("{customer_id}")'),
        ("Invoices", "Date>=DateTime(2020,01,01) AND Total>100"),
        ("Invoices", 'Status=="AUTHORISED" AND DueDate!=null'),
    ):
        assert api.get(f"/{collection}", where=where).status_code == 200, where


@pytest.mark.parametrize(
    "where",
    [
        'EmailAddress.Contains("@")',
        'EmailAddress.ToLower()=="finance@boomfm.example.com"',
        'EmailAddress!=null || EmailAddress.Contains("@")',  # the guard is on the other side
        'Name=="x" OR (EmailAddress!=null) && FirstName.StartsWith("A")',
    ],
)
def test_a_method_on_an_optional_field_needs_a_null_guard(
    api: AccountingClient, where: str
) -> None:
    # Refused whatever the data: Xero checks the filter, not the records.
    assert _query_error(api.get("/Contacts", where=where)) == NULL_GUARD_MESSAGE


def test_a_guarded_method_or_one_on_a_required_field_is_taken(api: AccountingClient) -> None:
    guarded = 'EmailAddress!=null&&EmailAddress.ToLower()=="finance@boomfm.example.com"'
    found = api.get("/Contacts", where=guarded).json()["Contacts"]
    assert [contact["Name"] for contact in found] == ["Boom FM"]
    required = api.get("/Contacts", where='Name.StartsWith("Boom")').json()["Contacts"]
    assert [contact["Name"] for contact in required] == ["Boom FM"]
    assert api.get("/Invoices", where='Contact.Name.StartsWith("B")').status_code == 200


# --- 4. Request size ------------------------------------------------------------------------
def _ids(count: int) -> str:
    return ",".join(str(uuid.UUID(int=n + 1)) for n in range(count))


@pytest.mark.parametrize("collection", ["Invoices", "Contacts"])
def test_ids_lists_longer_than_xero_takes_are_not_found(
    api: AccountingClient, collection: str
) -> None:
    assert api.get(f"/{collection}", IDs=_ids(MAX_IDS)).status_code == 200
    refused = api.get(f"/{collection}", IDs=_ids(MAX_IDS + 1))
    assert (refused.status_code, refused.text) == (404, NOT_FOUND_TEXT)


def test_a_body_over_xeros_size_limit_is_refused(api: AccountingClient) -> None:
    body = {"Contacts": [{"Name": "Big", "Website": "x" * MAX_BODY_BYTES}]}
    refused = api.put("/Contacts", body)
    assert refused.status_code == 413
    assert api.get("/Contacts", where='Name=="Big"').json()["Contacts"] == []


def test_contact_ids_lists_have_the_same_limit(api: AccountingClient) -> None:
    assert api.get("/Invoices", ContactIDs=_ids(MAX_IDS)).status_code == 200
    assert api.get("/Invoices", ContactIDs=_ids(MAX_IDS + 1)).status_code == 404


def test_a_url_longer_than_xero_takes_is_not_found_and_not_counted(
    api: AccountingClient,
) -> None:
    path = "/api.xro/2.0/Contacts"
    head = len(XERO_ORIGIN) + len(path) + len("?where=")

    def where_of(length: int) -> str:
        filler = "x" * (length - head - len('Name==""'))
        return f'Name=="{filler}"'

    # Quotes and '=' travel percent-encoded, so leave room for them.
    fits = api.get("/Contacts", where=where_of(MAX_URL_LENGTH - 12))
    assert fits.status_code == 200, fits.text
    before = int(fits.headers["X-MinLimit-Remaining"])
    refused = api.get("/Contacts", where=where_of(MAX_URL_LENGTH + 1))
    assert (refused.status_code, refused.text) == (404, NOT_FOUND_TEXT)
    assert "X-MinLimit-Remaining" not in refused.headers  # refused before the API
    after = api.get("/Organisation")
    assert int(after.headers["X-MinLimit-Remaining"]) == before - 1


def test_contacts_on_the_invoices_of_a_payment_list_are_summaries(api: AccountingClient) -> None:
    listed = api.get("/Payments", page=1).json()["Payments"]
    assert listed
    for payment in listed:
        assert set(payment["Invoice"]["Contact"]) == SUMMARY_CONTACT_FIELDS
    single = api.one("Payments", listed[0]["PaymentID"])["Invoice"]["Contact"]
    assert single["ContactStatus"] == "ACTIVE"
