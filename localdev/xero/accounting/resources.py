"""One descriptor per Accounting collection, so listing, writing and read-back are
written once and each resource module only knows its own rules and shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from localdev.xero.accounting import (
    accounts,
    contacts,
    inputs,
    invoices,
    items,
    payments,
    tax_rates,
)
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.records import Record, WriteContext
from localdev.xero.accounting.where import Row, Schema


@dataclass(frozen=True)
class ReadOptions:
    today: date
    summary_only: bool = False
    unitdp: int = 2
    # A GET on a collection (not one record by id, not a write's answer): Xero answers
    # those with summaries of related records (see RULES.md).
    listing: bool = False
    # Xero shows an invoice's line items in a list only when `page` was given.
    paged: bool = False


@dataclass(frozen=True)
class Resource:
    name: str  # the collection, as in the URL and the envelope: "Contacts"
    singular: str
    id_field: str
    schema: Schema
    input_spec: inputs.Spec
    table: Callable[[Books], dict[str, Record]]
    find: Callable[[Books, str], Record | None]
    # Gathers, under the organisation's lock, what `render` needs from other tables.
    related: Callable[[Books, list[Record], date], Any]
    render: Callable[[Record, Any, ReadOptions], dict[str, Any]]
    save: Callable[[Books, Mapping[str, Any], WriteContext], Record] | None
    row: Callable[[Books, Record], Row] | None = None  # the record as `where` sees it
    paged: bool = False
    modified_since: bool = True  # has UpdatedDateUTC for If-Modified-Since


def _nothing(books: Books, records: list[Record], today: date) -> None:
    return None


def _find_contact(books: Books, key: str) -> Record | None:
    found = books.contacts.get(key.lower())
    if found is None:  # /Contacts/{ContactNumber}
        contact_id = books.contact_numbers.get(fold(key))
        found = None if contact_id is None else books.contacts[contact_id]
    return found


CONTACTS = Resource(
    name="Contacts",
    singular="Contact",
    id_field="ContactID",
    schema=contacts.SCHEMA,
    input_spec=contacts.INPUT,
    table=lambda books: books.contacts,
    find=_find_contact,
    related=lambda books, records, today: contacts.balances(
        books, [r["ContactID"] for r in records], today
    ),
    render=lambda record, related, options: contacts.to_json(
        record, related.get(record["ContactID"]), summary_only=options.summary_only
    ),
    save=contacts.save,
    paged=True,
)

ACCOUNTS = Resource(
    name="Accounts",
    singular="Account",
    id_field="AccountID",
    schema=accounts.SCHEMA,
    input_spec=accounts.INPUT,
    table=lambda books: books.accounts,
    find=lambda books, key: books.accounts.get(key.lower()),
    related=_nothing,
    render=lambda record, related, options: accounts.to_json(record),
    save=accounts.save,
)

TAX_RATES = Resource(
    name="TaxRates",
    singular="TaxRate",
    id_field="TaxType",
    schema=tax_rates.SCHEMA,
    input_spec=tax_rates.INPUT,
    table=lambda books: books.tax_rates,
    find=lambda books, key: books.tax_rates.get(key.upper()),
    related=_nothing,
    render=lambda record, related, options: tax_rates.to_json(record),
    save=tax_rates.save,
    modified_since=False,
)

ITEMS = Resource(
    name="Items",
    singular="Item",
    id_field="ItemID",
    schema=items.SCHEMA,
    input_spec=items.INPUT,
    table=lambda books: books.items,
    find=items.find,
    related=_nothing,
    render=lambda record, related, options: items.to_json(record, unitdp=options.unitdp),
    save=items.save,
)

INVOICES = Resource(
    name="Invoices",
    singular="Invoice",
    id_field="InvoiceID",
    schema=invoices.SCHEMA,
    input_spec=invoices.INPUT,
    table=lambda books: books.invoices,
    find=invoices.find,
    related=lambda books, records, today: invoices.related(books, records),
    render=lambda record, related, options: invoices.to_json(
        record,
        *related[record["InvoiceID"]],
        summary_only=options.summary_only,
        unitdp=options.unitdp,
        listing=options.listing,
        with_lines=options.paged or not options.listing,
    ),
    save=invoices.save,
    row=invoices.row,
    paged=True,
)

PAYMENTS = Resource(
    name="Payments",
    singular="Payment",
    id_field="PaymentID",
    schema=payments.SCHEMA,
    input_spec=payments.INPUT,
    table=lambda books: books.payments,
    find=lambda books, key: books.payments.get(key.lower()),
    related=lambda books, records, today: payments.related(books, records),
    render=lambda record, related, options: payments.to_json(
        record, *related[record["PaymentID"]], listing=options.listing
    ),
    save=payments.save,
    row=payments.row,
    paged=True,
)

# In dependency order: accounts name tax rates, invoices name contacts and items...
ALL = (TAX_RATES, ACCOUNTS, CONTACTS, ITEMS, INVOICES, PAYMENTS)
BY_NAME = {resource.name: resource for resource in ALL}
