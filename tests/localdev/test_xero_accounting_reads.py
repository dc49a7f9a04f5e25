"""GET behaviour: envelope, paging, If-Modified-Since, where/order and list filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import AccountingClient, sale

DEMO_ACTIVE_CONTACTS = 10
DEMO_SUPPLIERS = ["24 Locks", "Capital Cab Co", "PowerDirect", "SMART Agency"]


def _names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [contact["Name"] for contact in response.json()["Contacts"]]


def _seed_contacts(emulator: XeroEmulator, count: int, prefix: str = "Customer") -> list[str]:
    contacts = [{"Name": f"{prefix} {n:04d}"} for n in range(count)]
    return emulator.seed(DEMO_TENANT_ID, Contacts=contacts)["Contacts"]


def test_envelope_has_xero_fields(api: AccountingClient) -> None:
    body = api.get("/Contacts").json()
    assert list(body)[:4] == ["Id", "Status", "ProviderName", "DateTimeUTC"]
    assert body["Status"] == "OK"
    assert body["ProviderName"] == "Loc8 Integrations (local)"
    assert body["DateTimeUTC"].startswith("/Date(")
    assert body["DateTimeUTC"].endswith(")/")
    contact = body["Contacts"][0]
    assert contact["UpdatedDateUTC"].endswith("+0000)/")
    assert None not in contact.values()  # Xero omits what it has no value for


def test_default_page_is_100_with_pagination(api: AccountingClient, emulator: XeroEmulator) -> None:
    _seed_contacts(emulator, 250 - DEMO_ACTIVE_CONTACTS)
    body = api.get("/Contacts").json()
    assert len(body["Contacts"]) == 100
    assert body["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 3, "itemCount": 250}
    last = api.get("/Contacts", page=3).json()
    assert len(last["Contacts"]) == 50
    beyond = api.get("/Contacts", page=4).json()
    assert beyond["Contacts"] == []
    assert beyond["pagination"]["itemCount"] == 250


def test_page_size_boundaries(api: AccountingClient, emulator: XeroEmulator) -> None:
    _seed_contacts(emulator, 1001 - DEMO_ACTIVE_CONTACTS)
    first = api.get("/Contacts", page=1, pageSize=1000).json()
    assert len(first["Contacts"]) == 1000
    assert first["pagination"] == {"page": 1, "pageSize": 1000, "pageCount": 2, "itemCount": 1001}
    assert len(api.get("/Contacts", page=2, pageSize=1000).json()["Contacts"]) == 1
    assert len(api.get("/Contacts", page=501, pageSize=2).json()["Contacts"]) == 1
    for bad in ({"pageSize": 1001}, {"pageSize": 0}, {"page": 0}, {"page": "x"}):
        response = api.get("/Contacts", **bad)
        assert response.status_code == 400, bad
        assert response.json()["Type"] == "ValidationException"


def test_pages_walk_every_record_once(api: AccountingClient, emulator: XeroEmulator) -> None:
    created = set(_seed_contacts(emulator, 95))
    seen: list[str] = []
    page = 1
    while True:
        contacts = api.get("/Contacts", page=page, pageSize=25).json()["Contacts"]
        if not contacts:
            break
        seen += [contact["ContactID"] for contact in contacts]
        page += 1
    assert len(seen) == len(set(seen)) == 95 + DEMO_ACTIVE_CONTACTS
    assert created <= set(seen)


def test_accounts_tax_rates_and_items_are_not_paged(api: AccountingClient) -> None:
    for collection in ("Accounts", "TaxRates", "Items"):
        body = api.get(f"/{collection}", page=1, pageSize=2).json()
        assert "pagination" not in body
        assert len(body[collection]) > 2


def test_if_modified_since_second_precision(api: AccountingClient, emulator: XeroEmulator) -> None:
    emulator.clock.advance(5)
    cutoff = emulator.clock.now().replace(microsecond=0)
    [late] = api.create("Contacts", {"Name": "Changed Later"})

    def changed_since(header: str) -> list[str]:
        response = api.request("GET", "/Contacts", headers={"If-Modified-Since": header})
        return _names(response)

    assert changed_since(cutoff.isoformat()) == ["Changed Later"]
    assert changed_since(format_datetime(cutoff, usegmt=True)) == ["Changed Later"]  # HTTP date
    assert changed_since(cutoff.replace(tzinfo=None).isoformat()) == ["Changed Later"]  # = UTC
    # Sub-second parts are ignored: the whole second of the change counts.
    assert changed_since((cutoff + timedelta(milliseconds=999)).isoformat()) == ["Changed Later"]
    assert changed_since((cutoff + timedelta(seconds=1)).isoformat()) == []
    # An update moves UpdatedDateUTC, so the record is reported again.
    emulator.clock.advance(60)
    later_cutoff = emulator.clock.now().isoformat()
    api.post(f"/Contacts/{late['ContactID']}", {"Contacts": [{"FirstName": "Ann"}]})
    assert changed_since(later_cutoff) == ["Changed Later"]
    bad = api.request("GET", "/Contacts", headers={"If-Modified-Since": "yesterday"})
    assert bad.status_code == 400


def test_is_customer_change_does_not_move_updated_date(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    [contact] = api.create("Contacts", {"Name": "Quiet Customer"})
    assert contact["IsCustomer"] is False
    emulator.clock.advance(10)
    cutoff = emulator.clock.now().isoformat()
    api.create("Invoices", sale(contact["ContactID"]))
    fetched = api.one("Contacts", contact["ContactID"])
    assert fetched["IsCustomer"] is True
    assert fetched["UpdatedDateUTC"] == contact["UpdatedDateUTC"]
    response = api.request("GET", "/Contacts", headers={"If-Modified-Since": cutoff})
    assert _names(response) == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('Name=="Boom FM"', ["Boom FM"]),
        ('Name=="boom fm"', ["Boom FM"]),
        ('Name!="Boom FM" AND Name.StartsWith("B")', ["Bayside Club"]),
        ('Name=="Boom FM" || Name=="City Agency"', ["Boom FM", "City Agency"]),
        ('Name=="Boom FM" OR Name=="City Agency"', ["Boom FM", "City Agency"]),
        ('EmailAddress!=null&&EmailAddress.Contains("@powerdirect.")', ["PowerDirect"]),
        (
            'ContactNumber!=null && ContactNumber.StartsWith("CUST-00") && Name.Contains("Ltd")',
            ["Hamilton Smith Ltd"],
        ),
        ('ContactStatus=="ACTIVE" AND IsCustomer==true', ["Bayside Club", "Boom FM"]),
        ('Name.ToLower().EndsWith("agency")', ["City Agency", "SMART Agency"]),
        # Each demo supplier has a bill (ACCPAY) and no sales invoice.
        ("NOT (IsSupplier==false)", DEMO_SUPPLIERS),
        ("IsSupplier==true AND IsCustomer==false", DEMO_SUPPLIERS),
        # No transactions yet: neither flag, as Xero shows a new contact.
        ('IsSupplier==false AND IsCustomer==false AND Name.EndsWith("Agency")', ["City Agency"]),
    ],
)
def test_where_filters(api: AccountingClient, where: str, expected: list[str]) -> None:
    assert _names(api.get("/Contacts", where=where)) == expected


def test_where_guid_and_dates_on_invoices(api: AccountingClient) -> None:
    contact = api.get("/Contacts", where='Name=="Bayside Club"').json()["Contacts"][0]
    clause = f'Contact.ContactID==GUID("{contact["ContactID"].upper()}")'
    invoices = api.get("/Invoices", where=clause).json()["Invoices"]
    assert {invoice["Contact"]["Name"] for invoice in invoices} == {"Bayside Club"}
    api.create("Invoices", sale(contact["ContactID"], Date="2020-01-15"))
    old = api.get("/Invoices", where="Date<DateTime(2021,01,01)").json()["Invoices"]
    assert [invoice["DateString"] for invoice in old] == ["2020-01-15T00:00:00"]
    sales = api.get("/Invoices", where='Type=="ACCREC" AND Status=="AUTHORISED"').json()
    assert all(i["Type"] == "ACCREC" for i in sales["Invoices"])


def test_bad_where_and_order_are_query_parse_errors(api: AccountingClient) -> None:
    for params in (
        {"where": 'Nmae=="x"'},
        {"where": 'Name=="x" AND'},
        {"where": "__import__('os')"},
        {"order": "Nope DESC"},
    ):
        response = api.get("/Contacts", **params)
        assert response.status_code == 400, params
        body = response.json()
        assert (body["ErrorNumber"], body["Type"]) == (16, "QueryParseException")
    message = api.get("/Contacts", where='Nmae=="x"').json()["Message"]
    assert message == "No property or field 'Nmae' exists in type 'Contact' (at index 0)"


def test_order(api: AccountingClient) -> None:
    names = _names(api.get("/Contacts", order="Name DESC"))
    assert names == sorted(names, key=str.casefold, reverse=True)
    codes = [a["Code"] for a in api.get("/Accounts", order="Code DESC").json()["Accounts"]]
    assert codes == sorted(codes, reverse=True)


def test_ids_archived_search_and_summary_only(api: AccountingClient) -> None:
    everyone = api.get("/Contacts", includeArchived="true").json()["Contacts"]
    archived = [c for c in everyone if c["ContactStatus"] == "ARCHIVED"]
    assert [c["Name"] for c in archived] == ["Old Customer Pty Ltd"]
    assert "Old Customer Pty Ltd" not in _names(api.get("/Contacts"))
    ids = f"{archived[0]['ContactID']},{everyone[0]['ContactID']}"
    assert len(api.get("/Contacts", IDs=ids).json()["Contacts"]) == 2
    assert _names(api.get("/Contacts", searchTerm="SMART")) == ["SMART Agency"]
    assert _names(api.get("/Contacts", searchTerm="cust-006")) == ["Ridgeway University"]
    summary = api.get("/Contacts", summaryOnly="true").json()["Contacts"][0]
    assert "Addresses" not in summary
    assert "Balances" not in summary
    assert "Addresses" in api.get("/Contacts").json()["Contacts"][0]
    assert api.get("/Contacts", IDs="not-a-guid").status_code == 400


def test_invoice_list_filters(api: AccountingClient) -> None:
    listed = api.get("/Invoices").json()["Invoices"]
    numbers = [invoice["InvoiceNumber"] for invoice in listed]
    assert numbers == ["INV-0001", "INV-0002", "PD-88213", "24L-5531", "CCC-0917", "SA-2207"]
    by_status = api.get("/Invoices", Statuses="PAID").json()["Invoices"]
    assert [i["InvoiceNumber"] for i in by_status] == ["INV-0002"]
    by_number = api.get("/Invoices", InvoiceNumbers="inv-0001,PD-88213").json()["Invoices"]
    assert [i["InvoiceNumber"] for i in by_number] == ["INV-0001", "PD-88213"]
    contact_id = listed[0]["Contact"]["ContactID"]
    by_contact = api.get("/Invoices", ContactIDs=contact_id).json()["Invoices"]
    assert [i["InvoiceNumber"] for i in by_contact] == ["INV-0001"]
    assert api.get("/Invoices", createdByMyApp="true").json()["Invoices"] == []
    [mine] = api.create("Invoices", sale(contact_id))
    by_me = api.get("/Invoices", createdByMyApp="true").json()["Invoices"]
    assert [i["InvoiceID"] for i in by_me] == [mine["InvoiceID"]]
    assert api.get("/Invoices", searchTerm="job 1002").json()["Invoices"][0]["Reference"] == (
        "Job 1002"
    )
    light = api.get("/Invoices", summaryOnly="true").json()["Invoices"][0]
    assert "LineItems" not in light
    # Line items come in a list only when `page` is given (see test_xero_accounting_strictness).
    assert api.get("/Invoices", page=1).json()["Invoices"][0]["LineItems"]


def test_single_gets_by_id_number_and_code(api: AccountingClient) -> None:
    invoice = api.one("Invoices", "INV-0001")
    assert api.one("Invoices", invoice["InvoiceID"])["InvoiceNumber"] == "INV-0001"
    assert api.one("Contacts", "CUST-002")["Name"] == "Boom FM"
    assert api.one("Items", "CALLOUT")["Name"] == "Call-out fee"
    assert api.one("TaxRates", "OUTPUT")["DisplayTaxRate"] == 10.0
    missing = "00000000-0000-0000-0000-00000000abcd"
    for collection in ("Contacts", "Invoices", "Items", "Accounts", "Payments"):
        response = api.get(f"/{collection}/{missing}")
        assert response.status_code == 404, collection
        assert response.text == "The resource you're looking for cannot be found"


def test_paths_are_case_insensitive_and_counted_per_template(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    assert api.get("/contacts").status_code == 200
    assert api.get("/CONTACTS").status_code == 200
    assert api.get("/Contacts/CUST-001").status_code == 200
    assert emulator.calls["GET /api.xro/2.0/Contacts"] == 2
    assert emulator.calls["GET /api.xro/2.0/Contacts/{ContactID}"] == 1


def test_balances_and_organisation(api: AccountingClient, emulator: XeroEmulator) -> None:
    bayside = api.one("Contacts", "CUST-001")
    # INV-0001: 1 call-out (95) + 2 hours (220) + 10% GST, due 6 days ago.
    assert bayside["Balances"]["AccountsReceivable"] == {"Outstanding": 346.5, "Overdue": 346.5}
    [organisation] = api.get("/Organisation").json()["Organisations"]
    assert organisation["OrganisationID"] == DEMO_TENANT_ID
    assert (organisation["Version"], organisation["BaseCurrency"]) == ("AU", "AUD")
    assert organisation["IsDemoCompany"] is True
    created = datetime.fromtimestamp(int(organisation["CreatedDateUTC"][6:19]) / 1000, tz=UTC)
    assert abs(created - emulator.clock.now()) < timedelta(minutes=1)
