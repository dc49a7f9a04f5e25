"""The seeded AU demo company's data, and the bulk seeding benchmarks use.

Everything goes through the same record builders the API's creates use, so the demo
data looks exactly like what a client would have written; the bulk seed skips the
request layer (no HTTP, no limits) to make 10,000 customers in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from localdev.quickbooks.accounting import customers, items, writes
from localdev.quickbooks.accounting.chart import add_chart
from localdev.quickbooks.accounting.info import company_info_record

if TYPE_CHECKING:
    from localdev.quickbooks.accounting.companies import Company

DEMO_CUSTOMERS: tuple[dict[str, Any], ...] = (
    {
        "DisplayName": "Harbourside Strata Management",
        "CompanyName": "Harbourside Strata Management Pty Ltd",
        "PrimaryEmailAddr": {"Address": "accounts@harbourside-strata.example.com"},
        "BillAddr": {
            "Line1": "12 Circular Quay West",
            "City": "Sydney",
            "CountrySubDivisionCode": "NSW",
            "PostalCode": "2000",
            "Country": "Australia",
        },
    },
    {
        "DisplayName": "Bondi Beach Cafe",
        "PrimaryEmailAddr": {"Address": "owner@bondibeachcafe.example.com"},
        "BillAddr": {
            "Line1": "80 Campbell Parade",
            "City": "Bondi Beach",
            "CountrySubDivisionCode": "NSW",
            "PostalCode": "2026",
            "Country": "Australia",
        },
    },
    {
        "DisplayName": "Marrickville Public School",
        "PrimaryEmailAddr": {"Address": "admin@marrickville-ps.example.edu.au"},
    },
    {"DisplayName": "Jane Nguyen", "GivenName": "Jane", "FamilyName": "Nguyen"},
)

# (Name, Type, UnitPrice, income account, sales tax code)
DEMO_ITEMS: tuple[tuple[str, str, float, str, str], ...] = (
    ("Labour - standard hour", "Service", 110.0, "Services", "GST"),
    ("Call-out fee", "Service", 85.0, "Call-out Fees", "GST"),
    ("Tap washer kit", "NonInventory", 12.5, "Sales", "GST"),
    ("Council inspection fee", "Service", 150.0, "Services", "GST free"),
)


def load_company_info(company: Company, now: datetime) -> None:
    """Every company has its own CompanyInfo record, whatever its books hold."""
    with company.books.lock:
        company.books.insert("CompanyInfo", company_info_record(company.info), now)


def load_chart(company: Company, now: datetime) -> None:
    """A new company's starting books: accounts, its country's tax rates and codes."""
    with company.books.lock:
        add_chart(company.books, now)


def load_demo(company: Company, now: datetime) -> None:
    load_chart(company, now)
    books = company.books
    with books.lock:
        for body in DEMO_CUSTOMERS:
            customers.create(books, dict(body), now)
        accounts = {a["Name"]: a for a in books.table("Account").values()}
        codes = {c["Name"]: c for c in books.table("TaxCode").values()}
        for name, item_type, price, account, tax_code in DEMO_ITEMS:
            items.create(
                books,
                {
                    "Name": name,
                    "Type": item_type,
                    "UnitPrice": price,
                    "IncomeAccountRef": {"value": accounts[account]["Id"]},
                    "SalesTaxCodeRef": {"value": codes[tax_code]["Id"]},
                },
                now,
            )


def seed_customers(
    company: Company, count: int, now: datetime, *, prefix: str = "Seeded Customer"
) -> list[str]:
    """`count` customers named "<prefix> 00001"... (skipping names taken), their Ids."""
    if count < 0:
        raise ValueError("count must not be negative")
    books = company.books
    made: list[str] = []
    with books.lock:
        number = 0
        while len(made) < count:
            number += 1
            name = f"{prefix} {number:05d}"
            if customers.name_taken(books, name):
                continue
            record = customers.create(
                books,
                {
                    "DisplayName": name,
                    "PrimaryEmailAddr": {"Address": f"customer{number:05d}@example.com"},
                },
                now,
            )
            made.append(record["Id"])
    return made


def seed_records(
    company: Company, entity: str, bodies: Iterable[Mapping[str, Any]], now: datetime
) -> list[str]:
    """Create records through the API's rules without HTTP; the first invalid one raises."""
    from localdev.quickbooks.accounting.entities import ENTITIES

    kind = ENTITIES.get(entity)
    if kind is None or kind.build is None:
        raise ValueError(f"cannot seed {entity}")
    made = []
    with company.books.lock:
        for body in bodies:
            made.append(writes.create(kind, company.books, dict(body), now)["Id"])
    return made
