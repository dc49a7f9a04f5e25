"""Customer: DisplayName unique across customers, vendors and employees (6240).

QuickBooks derives DisplayName from the name parts when a body leaves it out, keeps it
as FullyQualifiedName (no sub-customers here), and prints CompanyName, else the
DisplayName, on cheques. Inactive customers keep their name: it stays taken. Customers
are never deleted, only made inactive (QuickBooks calls that deleting a name), and not
while they owe money.
"""

from __future__ import annotations

import re
from datetime import datetime

from localdev.quickbooks.accounting import faults, writes
from localdev.quickbooks.accounting.books import Books, Record, fold
from localdev.quickbooks.accounting.schema import CUSTOMER_KINDS
from localdev.quickbooks.accounting.values import as_bool, drop_empty, give_address_ids

READ_ONLY = frozenset(
    {"FullyQualifiedName", "Balance", "BalanceWithJobs", "Level", "V4IDPseudonym", "IsProject"}
)
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
MAX_NAME = 500  # Intuit's Customer reference: DisplayName max 500 characters
# A loose shape check: QuickBooks refuses addresses it cannot send mail to.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_taken(books: Books, name: str, except_id: str | None = None) -> bool:
    owner = books.names.get(fold(name))
    return owner is not None and owner != ("Customer", except_id)


def _display_name(body: Record) -> str:
    name = body.get("DisplayName")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [str(body[part]).strip() for part in NAME_PARTS if body.get(part)]
    if not parts:
        raise faults.no_name_provided()
    return " ".join(parts)


def build(books: Books, body: Record, current: Record | None, now: datetime) -> Record:
    body = drop_empty(body)
    name = _display_name(body)
    if len(name) > MAX_NAME:
        raise faults.invalid_value(
            f"String length is either shorter or longer than supported by specification. "
            f"Min:0 Max:{MAX_NAME} supported. Supplied length:{len(name)}",
            "DisplayName",
        )
    if ":" in name or "\t" in name or "\n" in name:
        raise faults.business_rule(
            "The name cannot contain a colon (:), tab or newline.", "DisplayName"
        )
    if name_taken(books, name, None if current is None else current["Id"]):
        raise faults.duplicate_name()
    email = body.get("PrimaryEmailAddr")
    address = email.get("Address") if isinstance(email, dict) else None
    if address and not _EMAIL.match(str(address).strip()):
        raise faults.business_rule(
            "Invalid email address format: " + str(address), "PrimaryEmailAddr"
        )
    give_address_ids(books, body, ("BillAddr", "ShipAddr"))
    record: Record = {
        "Taxable": body.pop("Taxable", False),
        "Job": body.pop("Job", False),
        "BillWithParent": body.pop("BillWithParent", False),
        "Balance": 0 if current is None else current["Balance"],
        "BalanceWithJobs": 0 if current is None else current["BalanceWithJobs"],
        "CurrencyRef": books.locale.currency_ref(),
        "PreferredDeliveryMethod": "Print",
        "IsProject": False,
    }
    record.update(body)
    record["DisplayName"] = name
    record["FullyQualifiedName"] = name
    record["PrintOnCheckName"] = body.get("PrintOnCheckName") or body.get("CompanyName") or name
    record["Active"] = as_bool(body.get("Active"), True)
    if current is not None and current["Active"] and not record["Active"] and current["Balance"]:
        raise faults.list_has_balance()
    return record


def index(books: Books, record: Record, now: datetime) -> None:
    books.names[fold(record["DisplayName"])] = ("Customer", record["Id"])


def unindex(books: Books, record: Record, now: datetime) -> None:
    if books.names.get(fold(record["DisplayName"])) == ("Customer", record["Id"]):
        del books.names[fold(record["DisplayName"])]


CUSTOMER = writes.EntityKind(
    name="Customer",
    kinds=CUSTOMER_KINDS,
    read_only=READ_ONLY,
    build=build,
    index=index,
    unindex=unindex,
)


def create(books: Books, body: Record, now: datetime) -> Record:
    return writes.create(CUSTOMER, books, body, now)
