"""The AU demo company file: a plumbing business's chart of accounts, GST tax codes and a
few customers and items. UIDs are derived from names, so they are the same every run."""

from __future__ import annotations

import uuid
from typing import Any

from localdev.myob import links
from localdev.myob.books import Books
from localdev.myob.resources import ACCOUNT, CUSTOMER, ITEM, RESOURCES, TAX_CODE

_NAMESPACE = uuid.UUID("8d9a4f0e-5b1c-4c3e-9f21-7a6b5c4d3e2f")

# (DisplayID, Name, Classification, Type, IsHeader)
CHART = (
    ("1-0000", "Assets", "Asset", "OtherAsset", True),
    ("1-1110", "Business Bank Account", "Asset", "Bank", False),
    ("1-1120", "Cheque Account", "Asset", "Bank", False),
    ("1-1180", "Undeposited Funds", "Asset", "Bank", False),
    ("1-1200", "Trade Debtors", "Asset", "AccountReceivable", False),
    ("1-1300", "Inventory", "Asset", "OtherCurrentAsset", False),
    ("2-1310", "GST Collected", "Liability", "OtherCurrentLiability", False),
    ("2-1330", "GST Paid", "Liability", "OtherCurrentLiability", False),
    ("4-0000", "Income", "Income", "Income", True),
    ("4-1000", "Plumbing Services", "Income", "Income", False),
    ("4-2000", "Parts Sales", "Income", "Income", False),
    ("4-3000", "Call-out Fees", "Income", "Income", False),
    ("5-1000", "Cost of Parts", "CostOfSales", "CostOfSales", False),
    ("6-1000", "General Expenses", "Expense", "Expense", False),
)
# (Code, Description, Rate)
TAX_CODES = (
    ("GST", "Goods & Services Tax", 10.0),
    ("FRE", "GST Free", 0.0),
    ("N-T", "Not Reportable", 0.0),
    ("CAP", "Capital Acquisitions", 10.0),
    ("EXP", "Export Sales", 0.0),
    ("INP", "Input Taxed", 0.0),
)


def stable_uid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _add(books: Books, resource: str, record: dict[str, Any]) -> dict[str, Any]:
    full = RESOURCES[resource].blank()
    full.update(record)
    return books.store(resource, books.stamp(resource, full))


def seed_demo_books(books: Books, *, with_contacts: bool = True) -> None:
    cf = books.company_file_id
    gst: dict[str, Any] = {}
    for code, description, rate in TAX_CODES:
        tax = _add(
            books,
            TAX_CODE,
            {
                "UID": stable_uid(cf, "tax", code),
                "Code": code,
                "Description": description,
                "Type": "GST_VAT",
                "Rate": rate,
            },
        )
        gst.setdefault("GST" if code == "GST" else code, tax)
    accounts: dict[str, dict[str, Any]] = {}
    for display_id, name, classification, kind, header in CHART:
        tax_code = (
            gst["GST"] if classification in ("Income", "Expense", "CostOfSales") else gst["N-T"]
        )
        accounts[display_id] = _add(
            books,
            ACCOUNT,
            {
                "UID": stable_uid(cf, "account", display_id),
                "Name": name,
                "DisplayID": display_id,
                "Classification": classification,
                "Type": kind,
                "Number": int(display_id.split("-")[1]),
                "IsHeader": header,
                "Level": 1 if header else 2,
                "TaxCode": links.tax_code(tax_code),
            },
        )
    if not with_contacts:
        return
    for display_id, company, first, last in (
        ("CUS000001", "Harbour View Apartments", None, None),
        ("CUS000002", "Greenleaf Cafe Pty Ltd", None, None),
        ("CUS000003", None, "Priya", "Shah"),
    ):
        add_customer(books, display_id, company, first, last, gst["GST"])
    for number, name, price in (
        ("SVC-HOUR", "Plumbing labour (hour)", 120.0),
        ("SVC-CALL", "Call-out fee", 90.0),
        ("PART-TAP", "Mixer tap", 185.0),
    ):
        _add(
            books,
            ITEM,
            {
                "UID": stable_uid(cf, "item", number),
                "Number": number,
                "Name": name,
                "IsSold": True,
                "IncomeAccount": links.account(accounts["4-1000"]),
                "BaseSellingPrice": price,
                "SellingDetails": {
                    **RESOURCES[ITEM].template["SellingDetails"],
                    "BaseSellingPrice": price,
                    "TaxCode": links.tax_code(gst["GST"]),
                },
            },
        )


def add_customer(
    books: Books,
    display_id: str,
    company: str | None,
    first: str | None,
    last: str | None,
    tax: dict[str, Any],
) -> dict[str, Any]:
    selling = {
        **RESOURCES[CUSTOMER].template["SellingDetails"],
        "TaxCode": links.tax_code(tax),
        "FreightTaxCode": links.tax_code(tax),
    }
    return _add(
        books,
        CUSTOMER,
        {
            "UID": stable_uid(books.company_file_id, "customer", display_id),
            "CompanyName": company,
            "FirstName": first,
            "LastName": last,
            "IsIndividual": company is None,
            "DisplayID": display_id,
            "Addresses": [
                {
                    "Location": 1,
                    "Street": "1 George Street",
                    "City": "Sydney",
                    "State": "NSW",
                    "PostCode": "2000",
                    "Country": "Australia",
                    "Phone1": None,
                    "Phone2": None,
                    "Phone3": None,
                    "Fax": None,
                    "Email": f"{display_id.lower()}@example.test",
                    "Website": None,
                    "ContactName": None,
                    "Salutation": None,
                }
            ],
            "SellingDetails": selling,
        },
    )


def seed_customers(books: Books, count: int) -> int:
    """Add `count` customers quickly (benchmarks): valid records, no per-record checks
    beyond a fresh DisplayID each. Returns how many exist afterwards."""
    tax = next(t for t in books.records(TAX_CODE).values() if t["Code"] == "GST")
    with books.lock:
        taken = {str(c["DisplayID"]).casefold() for c in books.records(CUSTOMER).values()}
        serial = len(taken)
        added = 0
        while added < count:
            serial += 1
            display_id = f"SEED{serial:07d}"
            if display_id.casefold() in taken:
                continue
            add_customer(books, display_id, f"Seeded Customer {serial}", None, None, tax)
            added += 1
        return len(books.records(CUSTOMER))
