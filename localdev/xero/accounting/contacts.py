"""Contacts: GET, PUT (create), POST (create-or-update), POST /Contacts/{ContactID}."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from localdev.xero.accounting import inputs, messages
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.money import ZERO
from localdev.xero.accounting.problems import not_found
from localdev.xero.accounting.records import (
    EMPTY_ID,
    Invalid,
    Record,
    WriteContext,
    new_id,
    plain,
    with_errors,
)
from localdev.xero.accounting.where import Schema

COLLECTION = "Contacts"
ID_FIELD = "ContactID"

_ADDRESS_TYPES = ("STREET", "POBOX")
_PHONE_TYPES = ("DDI", "DEFAULT", "FAX", "MOBILE")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Dropped by summaryOnly=true: the lists and the balances Xero calls computation-heavy.
_HEAVY_FIELDS = ("Addresses", "Phones", "ContactGroups", "ContactPersons", "Balances")
_SEARCHED_FIELDS = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")

SCHEMA = Schema(
    "Contact",
    dict.fromkeys(
        [
            "ContactID",
            "ContactNumber",
            "AccountNumber",
            "ContactStatus",
            "Name",
            "FirstName",
            "LastName",
            "CompanyNumber",
            "EmailAddress",
            "BankAccountDetails",
            "TaxNumber",
            "AccountsReceivableTaxType",
            "AccountsPayableTaxType",
            "Addresses",
            "Phones",
            "IsSupplier",
            "IsCustomer",
            "DefaultCurrency",
            "UpdatedDateUTC",
            "ContactPersons",
            "ContactGroups",
            "Website",
            "SalesDefaultAccountCode",
            "PurchasesDefaultAccountCode",
            "HasAttachments",
            "HasValidationErrors",
        ]
    ),
    required=frozenset(("Name", "ContactStatus")),
)

_ADDRESS: inputs.Spec = {
    "AddressType": inputs.enum(*_ADDRESS_TYPES),
    **dict.fromkeys(
        (
            "AddressLine1",
            "AddressLine2",
            "AddressLine3",
            "AddressLine4",
            "City",
            "Region",
            "PostalCode",
            "Country",
            "AttentionTo",
        ),
        inputs.text,
    ),
}
_PHONE: inputs.Spec = {
    "PhoneType": inputs.enum(*_PHONE_TYPES, "OFFICE"),
    "PhoneNumber": inputs.text,
    "PhoneAreaCode": inputs.text,
    "PhoneCountryCode": inputs.text,
}
_PERSON: inputs.Spec = {
    "FirstName": inputs.text,
    "LastName": inputs.text,
    "EmailAddress": inputs.text,
    "IncludeInEmails": inputs.boolean,
}
INPUT: inputs.Spec = {
    "ContactID": inputs.guid,
    "ContactStatus": inputs.enum("ACTIVE", "ARCHIVED"),
    "Addresses": inputs.many(inputs.obj(_ADDRESS)),
    "Phones": inputs.many(inputs.obj(_PHONE)),
    "ContactPersons": inputs.many(inputs.obj(_PERSON)),
    **dict.fromkeys(
        (
            "ContactNumber",
            "AccountNumber",
            "Name",
            "FirstName",
            "LastName",
            "CompanyNumber",
            "EmailAddress",
            "BankAccountDetails",
            "TaxNumber",
            "AccountsReceivableTaxType",
            "AccountsPayableTaxType",
            "DefaultCurrency",
            "SalesDefaultAccountCode",
            "PurchasesDefaultAccountCode",
        ),
        inputs.text,
    ),
}
# A reference to a contact inside an invoice body.
REFERENCE: inputs.Spec = {
    "ContactID": inputs.guid,
    "ContactNumber": inputs.text,
    "Name": inputs.text,
    "EmailAddress": inputs.text,
    "FirstName": inputs.text,
    "LastName": inputs.text,
}

# Output order, as Xero lists a contact's fields.
_ORDER = [
    "ContactID",
    "ContactNumber",
    "AccountNumber",
    "ContactStatus",
    "Name",
    "FirstName",
    "LastName",
    "CompanyNumber",
    "EmailAddress",
    "BankAccountDetails",
    "TaxNumber",
    "AccountsReceivableTaxType",
    "AccountsPayableTaxType",
    "Addresses",
    "Phones",
    "UpdatedDateUTC",
    "ContactGroups",
    "IsSupplier",
    "IsCustomer",
    "DefaultCurrency",
    "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
    "ContactPersons",
    "Website",
    "HasAttachments",
    "HasValidationErrors",
]


def _addresses(given: Iterable[Mapping[str, Any]], previous: Iterable[Mapping[str, Any]]) -> list:
    by_type = {address["AddressType"]: dict(address) for address in previous}
    for address in given:
        address_type = address.get("AddressType", "POBOX")
        by_type[address_type] = {**by_type.get(address_type, {}), **address}
    for address_type in _ADDRESS_TYPES:
        by_type.setdefault(address_type, {"AddressType": address_type})
        for blank in ("City", "Region", "PostalCode", "Country"):
            by_type[address_type].setdefault(blank, "")
    return list(by_type.values())


def _phones(given: Iterable[Mapping[str, Any]], previous: Iterable[Mapping[str, Any]]) -> list:
    by_type = {phone["PhoneType"]: dict(phone) for phone in previous}
    for phone in given:
        phone_type = phone.get("PhoneType", "DEFAULT")
        by_type[phone_type] = {**by_type.get(phone_type, {}), **phone}
    for phone_type in _PHONE_TYPES:
        by_type.setdefault(phone_type, {"PhoneType": phone_type})
        for blank in ("PhoneNumber", "PhoneAreaCode", "PhoneCountryCode"):
            by_type[phone_type].setdefault(blank, "")
    return sorted(by_type.values(), key=lambda phone: phone["PhoneType"])


def blank(name: str) -> Record:
    return {
        "ContactID": EMPTY_ID,
        "ContactStatus": "ACTIVE",
        "Name": name,
        "EmailAddress": "",
        "BankAccountDetails": "",
        "Addresses": _addresses([], []),
        "Phones": _phones([], []),
        "ContactGroups": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "ContactPersons": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
    }


def store(books: Books, contact: Record, previous: Record | None) -> Record:
    """Put a validated contact in place and keep the uniqueness indexes in step."""
    contact_id = contact["ContactID"]
    if previous is not None:
        if previous["ContactStatus"] == "ACTIVE":
            books.active_contact_names.pop(fold(previous["Name"]), None)
        if previous.get("ContactNumber"):
            books.contact_numbers.pop(fold(previous["ContactNumber"]), None)
    if contact["ContactStatus"] == "ACTIVE":
        books.active_contact_names[fold(contact["Name"])] = contact_id
    if contact.get("ContactNumber"):
        books.contact_numbers[fold(contact["ContactNumber"])] = contact_id
    books.contacts[contact_id] = contact
    return contact


def mark_role(books: Books, contact_id: str, invoice_type: str) -> None:
    """IsCustomer/IsSupplier follow the invoices; like Xero, this does not move
    UpdatedDateUTC (so If-Modified-Since will not report it)."""
    flag = "IsCustomer" if invoice_type == "ACCREC" else "IsSupplier"
    contact = books.contacts[contact_id]
    if not contact[flag]:
        books.contacts[contact_id] = {**contact, flag: True}


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    errors: list[str] = []
    existing: Record | None = None
    if ctx.mode == "update":
        existing = books.contacts.get(ctx.target_id or "")
        if existing is None:
            raise not_found()
    elif "ContactID" in data:
        existing = books.contacts.get(data["ContactID"])
        if existing is None:
            errors.append(messages.CONTACT_NOT_FOUND)
        elif ctx.mode == "create":
            errors.append(messages.CONTACT_ID_EXISTS)
            existing = None
    elif ctx.mode == "upsert" and data.get("ContactNumber"):
        found = books.contact_numbers.get(fold(data["ContactNumber"]))
        existing = None if found is None else books.contacts[found]

    base = dict(existing) if existing is not None else blank("")
    candidate = {**base, **{k: v for k, v in data.items() if k != "ContactID"}}
    candidate["Addresses"] = _addresses(data.get("Addresses", []), base["Addresses"])
    candidate["Phones"] = _phones(data.get("Phones", []), base["Phones"])
    candidate["Name"] = candidate.get("Name", "").strip()
    candidate["UpdatedDateUTC"] = ctx.now
    errors += _check(books, candidate, existing)
    if errors:
        raise Invalid(with_errors(to_json(candidate), errors, "HasValidationErrors"), errors)
    if existing is None:
        candidate["ContactID"] = new_id()
    return store(books, candidate, existing)


def _check(books: Books, candidate: Record, existing: Record | None) -> list[str]:
    errors: list[str] = []
    own_id = None if existing is None else existing["ContactID"]
    name = candidate["Name"]
    if not name:
        errors.append(messages.CONTACT_NAME_REQUIRED)
    elif candidate["ContactStatus"] == "ACTIVE":
        holder = books.active_contact_names.get(fold(name))
        if holder is not None and holder != own_id:
            errors.append(messages.CONTACT_NAME_TAKEN.format(name=name))
    number = candidate.get("ContactNumber")
    if number:
        holder = books.contact_numbers.get(fold(number))
        if holder is not None and holder != own_id:
            errors.append(messages.CONTACT_NUMBER_TAKEN)
    email = candidate.get("EmailAddress")
    if email and not _EMAIL.match(email.strip()):
        errors.append(messages.EMAIL_INVALID)
    return errors


def matches_search(contact: Mapping[str, Any], term: str) -> bool:
    needle = term.casefold()
    return any(needle in (contact.get(name) or "").casefold() for name in _SEARCHED_FIELDS)


def balances(books: Books, contact_ids: Iterable[str], today: date) -> dict[str, Record]:
    """Outstanding and overdue amounts from AUTHORISED invoices (called under the lock)."""
    result: dict[str, Record] = {}
    for contact_id in contact_ids:
        totals = {"ACCREC": [ZERO, ZERO], "ACCPAY": [ZERO, ZERO]}
        for invoice_id in books.invoices_by_contact.get(contact_id, ()):
            invoice = books.invoices[invoice_id]
            if invoice["Status"] != "AUTHORISED":
                continue
            bucket = totals[invoice["Type"]]
            bucket[0] += invoice["AmountDue"]
            due = invoice.get("DueDate")
            if due is not None and due < today:
                bucket[1] += invoice["AmountDue"]
        result[contact_id] = {
            "AccountsReceivable": _pair(totals["ACCREC"]),
            "AccountsPayable": _pair(totals["ACCPAY"]),
        }
    return result


def _pair(values: list[Decimal]) -> Record:
    return {"Outstanding": values[0], "Overdue": values[1]}


def to_json(
    contact: Mapping[str, Any],
    balance: Mapping[str, Any] | None = None,
    *,
    summary_only: bool = False,
) -> dict[str, Any]:
    ordered = {name: contact.get(name) for name in _ORDER}
    ordered.update({k: v for k, v in contact.items() if k not in ordered})
    if balance is not None:
        ordered["Balances"] = balance
    if summary_only:
        for name in _HEAVY_FIELDS:
            ordered.pop(name, None)
    return plain(ordered)


def summary_json(contact: Mapping[str, Any]) -> dict[str, Any]:
    """The contact as embedded in an invoice."""
    return plain(
        {
            "ContactID": contact["ContactID"],
            "ContactNumber": contact.get("ContactNumber"),
            "ContactStatus": contact["ContactStatus"],
            "Name": contact["Name"],
            "EmailAddress": contact.get("EmailAddress"),
            "Addresses": contact["Addresses"],
            "Phones": contact["Phones"],
            "UpdatedDateUTC": contact["UpdatedDateUTC"],
            "ContactGroups": [],
            "IsSupplier": contact["IsSupplier"],
            "IsCustomer": contact["IsCustomer"],
            "ContactPersons": [],
            "HasValidationErrors": False,
        }
    )


def list_json(contact: Mapping[str, Any]) -> dict[str, Any]:
    """The contact as embedded in a list of invoices: Xero's summary (spec example of
    GET /Invoices) - its id and name, every list empty. Read details from /Contacts."""
    return {
        "ContactID": contact["ContactID"],
        "Name": contact["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }
