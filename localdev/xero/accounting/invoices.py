"""Invoices (ACCREC sales invoices and ACCPAY bills): GET, PUT, POST, POST /{InvoiceID}.

Status flow as in Xero: DRAFT -> SUBMITTED -> AUTHORISED -> PAID (only by payments);
DELETED only from DRAFT/SUBMITTED; VOIDED only from AUTHORISED without payments; PAID,
VOIDED and DELETED invoices cannot be changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from localdev.xero.accounting import contacts, inputs, lines, messages
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.dates import date_string, utc_string
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

COLLECTION = "Invoices"
ID_FIELD = "InvoiceID"
TYPES = ("ACCREC", "ACCPAY")
STATUSES = ("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED")
_CLOSED = ("VOIDED", "DELETED")
# Statuses that put an invoice up for payment: it must have a due date.
_APPROVAL = ("SUBMITTED", "AUTHORISED")

SCHEMA = Schema(
    "Invoice",
    {
        **dict.fromkeys(
            [
                "Type",
                "InvoiceID",
                "InvoiceNumber",
                "Reference",
                "Status",
                "Date",
                "DueDate",
                "LineAmountTypes",
                "SubTotal",
                "TotalTax",
                "Total",
                "AmountDue",
                "AmountPaid",
                "AmountCredited",
                "UpdatedDateUTC",
                "CurrencyCode",
                "CurrencyRate",
                "FullyPaidOnDate",
                "SentToContact",
                "Url",
                "HasAttachments",
                "IsDiscounted",
                "LineItems",
                "ExpectedPaymentDate",
                "PlannedPaymentDate",
            ]
        ),
        "Contact": contacts.SCHEMA,
    },
    required=frozenset(("Type", "Status", "LineAmountTypes", "CurrencyCode")),
)

INPUT: inputs.Spec = {
    "InvoiceID": inputs.guid,
    "Type": inputs.enum(
        "ACCPAY",
        "ACCPAYCREDIT",
        "APOVERPAYMENT",
        "APPREPAYMENT",
        "ACCREC",
        "ACCRECCREDIT",
        "AROVERPAYMENT",
        "ARPREPAYMENT",
    ),
    "Contact": inputs.obj(contacts.REFERENCE),
    "LineItems": inputs.many(inputs.obj(lines.INPUT)),
    "Date": inputs.day,
    "DueDate": inputs.day,
    "ExpectedPaymentDate": inputs.day,
    "PlannedPaymentDate": inputs.day,
    "LineAmountTypes": inputs.enum("Exclusive", "Inclusive", "NoTax"),
    "InvoiceNumber": inputs.text,
    "Reference": inputs.text,
    "Url": inputs.text,
    "CurrencyCode": inputs.text,
    "Status": inputs.enum(*STATUSES),
    "SentToContact": inputs.boolean,
    "BrandingThemeID": inputs.guid,
}
# Dropped by summaryOnly=true.
_HEAVY_FIELDS = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")


def store(books: Books, invoice: Record, previous: Record | None) -> Record:
    """Put an invoice in place and keep the number and by-contact indexes in step."""
    invoice_id = invoice["InvoiceID"]
    if previous is not None:
        if previous["Type"] == "ACCREC" and previous.get("InvoiceNumber"):
            books.sales_invoice_numbers.pop(fold(previous["InvoiceNumber"]), None)
        old_contact = previous["Contact"]["ContactID"]
        if old_contact != invoice["Contact"]["ContactID"]:
            books.invoices_by_contact[old_contact].remove(invoice_id)
    # A deleted sales invoice frees its number.
    numbered = invoice["Type"] == "ACCREC" and invoice.get("InvoiceNumber")
    if numbered and invoice["Status"] != "DELETED":
        books.sales_invoice_numbers[fold(invoice["InvoiceNumber"])] = invoice_id
    contact_id = invoice["Contact"]["ContactID"]
    if previous is None or previous["Contact"]["ContactID"] != contact_id:
        books.invoices_by_contact.setdefault(contact_id, []).append(invoice_id)
    books.invoices[invoice_id] = invoice
    return invoice


def find(books: Books, key: str) -> Record | None:
    """/Invoices/{InvoiceID} also takes a sales invoice number, as Xero does."""
    return books.invoice_by_id_or_number(key)


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    errors: list[str] = []
    existing = _locate(books, data, ctx, errors)
    today = ctx.now.date()
    if existing is not None:
        base = dict(existing)
        if data.get("Type", base["Type"]) != base["Type"]:
            errors.append(messages.INVOICE_TYPE_CHANGE)
    else:
        base = {
            "InvoiceID": EMPTY_ID,
            "Type": data.get("Type"),
            "Status": "DRAFT",
            "LineAmountTypes": "Exclusive",
            "Date": today,
            "CurrencyCode": "AUD",
            "CurrencyRate": Decimal("1.000000"),
            "LineItems": [],
            "AmountPaid": ZERO,
            "AmountCredited": ZERO,
            "SentToContact": False,
            "HasAttachments": False,
            "_payment_ids": (),
            "_created_by": ctx.client_id,
        }
        if base["Type"] not in TYPES:
            errors.append(messages.INVOICE_TYPE_REQUIRED)
    candidate: Record = {**base, **{k: v for k, v in data.items() if k in _PLAIN_FIELDS}}
    if candidate.get("Type") not in TYPES:
        candidate["Type"] = "ACCREC"  # only to shape the echoed element
    if candidate["Type"] == "ACCPAY":
        candidate["Reference"] = None  # Reference is a sales-invoice field
    if candidate["CurrencyCode"] != "AUD":
        errors.append(messages.CURRENCY_NOT_ENABLED.format(currency=candidate["CurrencyCode"]))

    requested = candidate["Status"]
    lines_sent = "LineItems" in data
    errors += _status_errors(existing, requested, lines_sent)
    if requested in _APPROVAL and candidate.get("DueDate") is None:
        # Xero fills it from payment terms when the contact or organisation has them;
        # the emulator has none, so an approved invoice must name its due date.
        errors.append(messages.DUE_DATE_REQUIRED)

    contact, new_contact_name, contact_errors = _contact(books, data, existing)
    errors += contact_errors
    moved = existing is None or existing["Contact"]["ContactID"] != (contact or {}).get("ContactID")
    if contact is not None and moved and contact["ContactStatus"] != "ACTIVE":
        # Xero offers only active contacts for a new transaction.
        errors.append(messages.CONTACT_ARCHIVED.format(name=contact["Name"]))
    candidate["Contact"] = {"ContactID": contact["ContactID"] if contact else EMPTY_ID}

    built = _lines(books, data, existing, candidate, ctx)
    if requested not in _CLOSED:
        for line in built:
            errors += line.errors
        if requested != "DRAFT" and not built:
            errors.append(messages.LINE_ITEMS_REQUIRED)
    _apply_totals(candidate, built)
    errors += _number_errors(books, candidate, existing)

    if errors:
        element = to_json(candidate, contact or _echo_contact(data), [])
        raise Invalid(with_errors(element, _unique(errors), "HasErrors"), _unique(errors))

    if contact is None and new_contact_name is not None:
        # Xero creates a contact named on an invoice that matches none.
        contact = contacts.save(books, {"Name": new_contact_name}, _creating(ctx))
        candidate["Contact"] = {"ContactID": contact["ContactID"]}
    if existing is None:
        candidate["InvoiceID"] = new_id()
    if candidate["Type"] == "ACCREC" and not candidate.get("InvoiceNumber"):
        candidate["InvoiceNumber"] = books.take_invoice_number()
    candidate["UpdatedDateUTC"] = ctx.now
    stored = store(books, candidate, existing)
    contacts.mark_role(books, stored["Contact"]["ContactID"], stored["Type"])
    return stored


_PLAIN_FIELDS = frozenset(
    [
        "Type",
        "Date",
        "DueDate",
        "ExpectedPaymentDate",
        "PlannedPaymentDate",
        "LineAmountTypes",
        "InvoiceNumber",
        "Reference",
        "Url",
        "CurrencyCode",
        "Status",
        "SentToContact",
        "BrandingThemeID",
    ]
)


def _creating(ctx: WriteContext) -> WriteContext:
    return WriteContext(now=ctx.now, client_id=ctx.client_id, mode="create", unitdp=ctx.unitdp)


def _unique(errors: list[str]) -> list[str]:
    return list(dict.fromkeys(errors))


def _locate(
    books: Books, data: Mapping[str, Any], ctx: WriteContext, errors: list[str]
) -> Record | None:
    if ctx.mode == "update":
        existing = find(books, ctx.target_id or "")
        if existing is None:
            raise not_found()
        return existing
    if "InvoiceID" in data:
        existing = books.invoices.get(data["InvoiceID"])
        if existing is None:
            errors.append(messages.INVOICE_NOT_FOUND)
        elif ctx.mode == "create":
            errors.append(messages.INVOICE_ID_EXISTS)
            return None
        return existing
    if (
        ctx.mode == "upsert"
        and data.get("InvoiceNumber")
        and data.get("Type", "ACCREC") == "ACCREC"
    ):
        return books.sales_invoice_by_number(data["InvoiceNumber"])
    return None


def _status_errors(existing: Record | None, requested: str, lines_sent: bool) -> list[str]:
    if existing is None:
        if requested not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
            return [messages.INVOICE_STATUS_ON_CREATE]
        return []
    current = existing["Status"]
    if current in _CLOSED:
        return [messages.NOT_VALID_STATUS]
    if current == "PAID":
        return [messages.HAS_PAYMENTS]
    if requested == "PAID":
        return [messages.NOT_VALID_STATUS]  # only payments make an invoice PAID
    if current == "AUTHORISED":
        if existing["AmountPaid"] > 0 and (requested != "AUTHORISED" or lines_sent):
            return [messages.HAS_PAYMENTS]
        if requested in ("DRAFT", "SUBMITTED", "DELETED"):
            return [messages.NOT_VALID_STATUS]
    elif requested == "VOIDED":  # DRAFT or SUBMITTED: delete instead
        return [messages.NOT_VALID_STATUS]
    return []


def _contact(
    books: Books, data: Mapping[str, Any], existing: Record | None
) -> tuple[Record | None, str | None, list[str]]:
    """(contact, name of a contact to create, errors)."""
    reference = data.get("Contact")
    if reference is None:
        if existing is not None:
            return books.contacts[existing["Contact"]["ContactID"]], None, []
        return None, None, [messages.CONTACT_REQUIRED]
    if "ContactID" in reference:
        found = books.contacts.get(reference["ContactID"])
        return found, None, [] if found else [messages.CONTACT_NOT_FOUND]
    if reference.get("ContactNumber"):
        contact_id = books.contact_numbers.get(fold(reference["ContactNumber"]))
        if contact_id is None:
            return None, None, [messages.CONTACT_NOT_FOUND]
        return books.contacts[contact_id], None, []
    name = (reference.get("Name") or "").strip()
    if not name:
        return None, None, [messages.CONTACT_REQUIRED]
    contact_id = books.active_contact_names.get(fold(name))
    if contact_id is None:
        return None, name, []
    return books.contacts[contact_id], None, []


def _lines(
    books: Books,
    data: Mapping[str, Any],
    existing: Record | None,
    candidate: Record,
    ctx: WriteContext,
) -> list[lines.Line]:
    """Lines sent replace the stored ones (kept by LineItemID, others deleted, as in
    Xero); when none are sent the stored lines are worked out again."""
    terms = lines.DocumentTerms(
        invoice_type=candidate["Type"],
        status=candidate["Status"],
        amount_types=candidate["LineAmountTypes"],
        unitdp=ctx.unitdp,
    )
    previous = {line["LineItemID"]: line for line in (existing or {}).get("LineItems", [])}
    if "LineItems" in data:
        return [
            lines.build(books, given, previous.get(given.get("LineItemID", "")), terms)
            for given in data["LineItems"]
        ]
    return [lines.build(books, {}, line, terms) for line in previous.values()]


def _apply_totals(candidate: Record, built: list[lines.Line]) -> None:
    candidate["LineItems"] = [line.record for line in built]
    subtotal = sum((line.subtotal for line in built), ZERO)
    tax = sum((line.tax for line in built), ZERO)
    candidate["SubTotal"] = subtotal
    candidate["TotalTax"] = tax
    candidate["Total"] = subtotal + tax
    candidate["IsDiscounted"] = any(
        line.record.get("DiscountRate") or line.record.get("DiscountAmount") for line in built
    )
    if candidate["Status"] in _CLOSED:
        candidate["AmountDue"] = ZERO
    else:
        due = candidate["Total"] - candidate["AmountPaid"] - candidate["AmountCredited"]
        candidate["AmountDue"] = due


def _number_errors(books: Books, candidate: Record, existing: Record | None) -> list[str]:
    number = candidate.get("InvoiceNumber")
    if candidate["Type"] != "ACCREC" or not number or candidate["Status"] == "DELETED":
        return []
    holder = books.sales_invoice_numbers.get(fold(number))
    if holder is not None and (existing is None or holder != existing["InvoiceID"]):
        return [messages.INVOICE_NUMBER_TAKEN]
    return []


def _echo_contact(data: Mapping[str, Any]) -> Record:
    reference = data.get("Contact") or {}
    return {
        "ContactID": reference.get("ContactID", EMPTY_ID),
        "Name": reference.get("Name", ""),
        "ContactStatus": "ACTIVE",
        "Addresses": [],
        "Phones": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "UpdatedDateUTC": None,
    }


def payment_summaries(books: Books, invoice: Mapping[str, Any]) -> list[Record]:
    """The invoice's live payments as Xero nests them (called under the lock)."""
    result = []
    for payment_id in invoice.get("_payment_ids", ()):
        payment = books.payments[payment_id]
        result.append(
            {
                "PaymentID": payment_id,
                "Date": payment["Date"],
                "Amount": payment["Amount"],
                "Reference": payment.get("Reference"),
                "CurrencyRate": payment["CurrencyRate"],
                "HasAccount": True,
                "HasValidationErrors": False,
            }
        )
    return result


def related(books: Books, invoices: Iterable[Mapping[str, Any]]) -> dict[str, tuple]:
    """What serialising these invoices needs from other tables, gathered under the lock."""
    return {
        invoice["InvoiceID"]: (
            books.contacts[invoice["Contact"]["ContactID"]],
            payment_summaries(books, invoice),
        )
        for invoice in invoices
    }


def row(books: Books, invoice: Mapping[str, Any]) -> Mapping[str, Any]:
    """The invoice as `where` sees it: Contact.* reads the live contact."""
    return {**invoice, "Contact": books.contacts[invoice["Contact"]["ContactID"]]}


def to_json(
    invoice: Mapping[str, Any],
    contact: Mapping[str, Any],
    payments: list[Record],
    *,
    summary_only: bool = False,
    unitdp: int = 2,
    listing: bool = False,
    with_lines: bool = True,
) -> dict[str, Any]:
    """`listing`: the invoice as a GET on the collection shows it, its contact a summary;
    `with_lines` False leaves its line items out (Xero's list without `page`)."""
    invoice_date: date | None = invoice.get("Date")
    due_date: date | None = invoice.get("DueDate")
    updated = invoice.get("UpdatedDateUTC")
    body: dict[str, Any] = {
        "Type": invoice["Type"],
        "InvoiceID": invoice["InvoiceID"],
        "InvoiceNumber": invoice.get("InvoiceNumber"),
        "Reference": invoice.get("Reference"),
        "Payments": payments,
        "CreditNotes": [],
        "Prepayments": [],
        "Overpayments": [],
        "AmountDue": invoice.get("AmountDue"),
        "AmountPaid": invoice["AmountPaid"],
        "AmountCredited": invoice["AmountCredited"],
        "SentToContact": invoice.get("SentToContact"),
        "CurrencyRate": invoice["CurrencyRate"],
        "IsDiscounted": invoice.get("IsDiscounted", False),
        "HasAttachments": invoice.get("HasAttachments", False),
        "HasErrors": False,
        "Contact": contacts.list_json(contact) if listing else contacts.summary_json(contact),
        "DateString": date_string(invoice_date) if invoice_date else None,
        "Date": invoice_date,
        "DueDateString": date_string(due_date) if due_date else None,
        "DueDate": due_date,
        "ExpectedPaymentDate": invoice.get("ExpectedPaymentDate"),
        "PlannedPaymentDate": invoice.get("PlannedPaymentDate"),
        "BrandingThemeID": invoice.get("BrandingThemeID"),
        "Status": invoice["Status"],
        "LineAmountTypes": invoice["LineAmountTypes"],
        "LineItems": (
            [lines.to_json(line, unitdp) for line in invoice.get("LineItems", [])]
            if with_lines
            else []
        ),
        "SubTotal": invoice.get("SubTotal"),
        "TotalTax": invoice.get("TotalTax"),
        "Total": invoice.get("Total"),
        "UpdatedDateUTC": updated,
        "UpdatedDateUTCString": utc_string(updated) if updated else None,
        "CurrencyCode": invoice["CurrencyCode"],
        "FullyPaidOnDate": invoice.get("FullyPaidOnDate"),
        "Url": invoice.get("Url"),
    }
    if summary_only:
        for name in _HEAVY_FIELDS:
            body.pop(name)
    return plain(body)
