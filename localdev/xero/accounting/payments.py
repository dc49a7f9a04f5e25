"""Payments against invoices: GET, PUT/POST (create), POST /Payments/{id} (delete).

A payment reduces the invoice's AmountDue and turns it PAID at zero; deleting the
payment (POST {"Status": "DELETED"}) gives the amount back and re-opens the invoice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from localdev.xero.accounting import contacts, inputs, invoices, messages
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.dates import utc_string
from localdev.xero.accounting.money import ZERO, round2
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

COLLECTION = "Payments"
ID_FIELD = "PaymentID"

SCHEMA = Schema(
    "Payment",
    {
        **dict.fromkeys(
            [
                "PaymentID",
                "Date",
                "Amount",
                "BankAmount",
                "Reference",
                "Status",
                "PaymentType",
                "UpdatedDateUTC",
                "IsReconciled",
                "CurrencyRate",
                "HasAccount",
            ]
        ),
        "Invoice": invoices.SCHEMA,
        "Account": Schema("Account", dict.fromkeys(("AccountID", "Code", "Name"))),
    },
    required=frozenset(("Status", "PaymentType")),
)

INPUT: inputs.Spec = {
    "Invoice": inputs.obj({"InvoiceID": inputs.guid, "InvoiceNumber": inputs.text}),
    "InvoiceNumber": inputs.text,
    "Account": inputs.obj({"AccountID": inputs.guid, "Code": inputs.text}),
    "Date": inputs.day,
    "Amount": inputs.number,
    "Reference": inputs.text,
    "IsReconciled": inputs.boolean,
    "Status": inputs.enum("AUTHORISED", "DELETED"),
}
DELETE_INPUT: inputs.Spec = {"Status": inputs.enum("AUTHORISED", "DELETED")}


def _invoice(books: Books, data: Mapping[str, Any]) -> tuple[Record | None, list[str]]:
    reference = data.get("Invoice") or {}
    if reference.get("InvoiceID"):
        found = books.invoices.get(reference["InvoiceID"])
        return found, [] if found else [messages.INVOICE_NOT_FOUND]
    number = reference.get("InvoiceNumber") or data.get("InvoiceNumber")
    if not number:
        return None, [messages.INVOICE_REQUIRED]
    found = books.sales_invoice_by_number(number) or next(
        (i for i in books.invoices.values() if i.get("InvoiceNumber") == number), None
    )
    return found, [] if found else [messages.INVOICE_NOT_FOUND]


def _account(books: Books, data: Mapping[str, Any]) -> tuple[Record | None, list[str]]:
    reference = data.get("Account") or {}
    if reference.get("AccountID"):
        account = books.accounts.get(reference["AccountID"])
    elif reference.get("Code"):
        account = books.account_by_code(reference["Code"])
    else:
        return None, [messages.PAYMENT_ACCOUNT_REQUIRED]
    if account is None or account["Status"] != "ACTIVE":
        return None, [messages.PAYMENT_ACCOUNT_NOT_FOUND]
    if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        return account, [messages.PAYMENT_ACCOUNT_INVALID]
    return account, []


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    invoice, errors = _invoice(books, data)
    account, account_errors = _account(books, data)
    errors += account_errors
    if "Date" not in data:
        errors.append(messages.PAYMENT_DATE_REQUIRED)
    amount = round2(data.get("Amount", ZERO))
    if amount <= 0:
        errors.append(messages.PAYMENT_AMOUNT_POSITIVE)
    if invoice is not None:
        if invoice["Status"] != "AUTHORISED":
            errors.append(messages.PAYMENT_NOT_AUTHORISED)
        if amount > invoice["AmountDue"]:
            errors.append(messages.PAYMENT_EXCEEDS_DUE)
    payment: Record = {
        "PaymentID": EMPTY_ID,
        "Date": data.get("Date", ctx.now.date()),
        "BankAmount": amount,
        "Amount": amount,
        "Reference": data.get("Reference"),
        "CurrencyRate": invoice["CurrencyRate"] if invoice else None,
        "PaymentType": None,
        "Status": "AUTHORISED",
        "UpdatedDateUTC": ctx.now,
        "IsReconciled": data.get("IsReconciled", False),
        "Account": {"AccountID": account["AccountID"] if account else EMPTY_ID},
        "Invoice": {"InvoiceID": invoice["InvoiceID"] if invoice else EMPTY_ID},
        "_created_by": ctx.client_id,
    }
    if invoice is not None:
        payment["PaymentType"] = f"{invoice['Type']}PAYMENT"
    if errors:
        element = to_json(payment, account, invoice, None)
        raise Invalid(with_errors(element, errors, "HasValidationErrors"), errors)
    assert invoice is not None
    payment["PaymentID"] = new_id()
    books.payments[payment["PaymentID"]] = payment
    _settle(books, invoice, payment, ctx, paid=True)
    return payment


def delete(books: Books, payment_id: str, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    payment = books.payments.get(payment_id.lower())
    if payment is None:
        raise not_found()
    errors: list[str] = []
    if data.get("Status") != "DELETED":
        errors.append(messages.PAYMENT_DELETE_ONLY)
    elif payment["Status"] == "DELETED":
        errors.append(messages.PAYMENT_ALREADY_DELETED)
    invoice = books.invoices[payment["Invoice"]["InvoiceID"]]
    if errors:
        account = books.accounts.get(payment["Account"]["AccountID"])
        element = to_json(
            payment, account, invoice, books.contacts[invoice["Contact"]["ContactID"]]
        )
        raise Invalid(with_errors(element, errors, "HasValidationErrors"), errors)
    deleted = {**payment, "Status": "DELETED", "UpdatedDateUTC": ctx.now}
    books.payments[payment["PaymentID"]] = deleted
    _settle(books, invoice, deleted, ctx, paid=False)
    return deleted


def _settle(
    books: Books, invoice: Record, payment: Record, ctx: WriteContext, *, paid: bool
) -> None:
    """Apply (or give back) a payment on its invoice; the invoice's UpdatedDateUTC moves."""
    sign = 1 if paid else -1
    amount_due = invoice["AmountDue"] - sign * payment["Amount"]
    payment_ids = tuple(invoice.get("_payment_ids", ()))
    payment_ids = (
        (*payment_ids, payment["PaymentID"])
        if paid
        else tuple(pid for pid in payment_ids if pid != payment["PaymentID"])
    )
    updated = {
        **invoice,
        "AmountPaid": invoice["AmountPaid"] + sign * payment["Amount"],
        "AmountDue": amount_due,
        "_payment_ids": payment_ids,
        "UpdatedDateUTC": ctx.now,
    }
    if amount_due == 0 and paid:
        updated["Status"] = "PAID"
        updated["FullyPaidOnDate"] = max(books.payments[pid]["Date"] for pid in payment_ids)
    elif not paid and invoice["Status"] == "PAID":
        updated["Status"] = "AUTHORISED"
        updated["FullyPaidOnDate"] = None
    invoices.store(books, updated, invoice)


def related(books: Books, payments: Iterable[Mapping[str, Any]]) -> dict[str, tuple]:
    """(account, invoice, contact) per payment, gathered under the lock."""
    result = {}
    for payment in payments:
        invoice = books.invoices[payment["Invoice"]["InvoiceID"]]
        result[payment["PaymentID"]] = (
            books.accounts.get(payment["Account"]["AccountID"]),
            invoice,
            books.contacts[invoice["Contact"]["ContactID"]],
        )
    return result


def row(books: Books, payment: Mapping[str, Any]) -> Mapping[str, Any]:
    """The payment as `where` sees it: Invoice.* and Account.* read the live records."""
    invoice = books.invoices[payment["Invoice"]["InvoiceID"]]
    return {
        **payment,
        "Invoice": invoices.row(books, invoice),
        "Account": books.accounts.get(payment["Account"]["AccountID"]),
    }


def to_json(
    payment: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    invoice: Mapping[str, Any] | None,
    contact: Mapping[str, Any] | None,
    *,
    listing: bool = False,
) -> dict[str, Any]:
    """`listing`: as GET /Payments lists it, the invoice's contact a summary."""
    updated = payment["UpdatedDateUTC"]
    invoice_json: dict[str, Any] = {"InvoiceID": payment["Invoice"]["InvoiceID"]}
    if invoice is not None:
        invoice_json = {
            "Type": invoice["Type"],
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber") or "",
            "Payments": [],
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "HasErrors": False,
            "IsDiscounted": invoice.get("IsDiscounted", False),
            "LineItems": [],
            "CurrencyCode": invoice["CurrencyCode"],
        }
        if contact is not None:
            invoice_json["Contact"] = (
                contacts.list_json(contact) if listing else contacts.summary_json(contact)
            )
    body = {
        "PaymentID": payment["PaymentID"],
        "Date": payment["Date"],
        "BankAmount": payment["BankAmount"],
        "Amount": payment["Amount"],
        "Reference": payment.get("Reference") or "",
        "CurrencyRate": payment.get("CurrencyRate"),
        "PaymentType": payment.get("PaymentType"),
        "Status": payment["Status"],
        "UpdatedDateUTC": updated,
        "UpdatedDateUTCString": utc_string(updated),
        "HasAccount": account is not None,
        "IsReconciled": payment["IsReconciled"],
        "Account": (
            {"AccountID": account["AccountID"], "Code": account["Code"], "Name": account["Name"]}
            if account is not None
            else payment["Account"]
        ),
        "Invoice": invoice_json,
        "HasValidationErrors": False,
    }
    return plain(body)
