"""How one MYOB record names another inside it: a small object with the UID, a few
identifying fields and the URI."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def contact_name(customer: Record) -> str:
    if customer.get("IsIndividual"):
        first = customer.get("FirstName") or ""
        return (
            f"{customer.get('LastName') or ''}, {first}".rstrip(", ")
            if first
            else str(customer.get("LastName") or "")
        )
    return str(customer.get("CompanyName") or "")


def customer(record: Record) -> Record:
    return {
        "UID": record["UID"],
        "Name": contact_name(record),
        "DisplayID": record["DisplayID"],
        "URI": record["URI"],
    }


def item(record: Record) -> Record:
    return {
        "UID": record["UID"],
        "Number": record["Number"],
        "Name": record["Name"],
        "URI": record["URI"],
    }


def account(record: Record) -> Record:
    return {
        "UID": record["UID"],
        "Name": record["Name"],
        "DisplayID": record["DisplayID"],
        "URI": record["URI"],
    }


def tax_code(record: Record) -> Record:
    return {"UID": record["UID"], "Code": record["Code"], "URI": record["URI"]}
