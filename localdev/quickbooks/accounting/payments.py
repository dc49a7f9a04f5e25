"""Payment: money received from a customer, applied to its invoices by Line[].LinkedTxn.

Each line applies `Amount` to one open invoice of the same customer, never more than
the invoice's Balance; what TotalAmt leaves over is UnappliedAmt. The money goes to
DepositToAccountRef (a Bank or Other Current Asset account; Undeposited Funds when
none is named). Saving a payment lowers its invoices' Balance and links them both
ways; deleting or voiding it (python-quickbooks voids with operation=update&include=
void) gives the invoices their balance back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from localdev.quickbooks.accounting import faults, writes
from localdev.quickbooks.accounting.books import Books, Record
from localdev.quickbooks.accounting.dates import check_date, local_date
from localdev.quickbooks.accounting.invoices import adjust_customer_balance
from localdev.quickbooks.accounting.schema import LINE_KINDS, LINKED_TXN_KINDS, PAYMENT_KINDS
from localdev.quickbooks.accounting.values import (
    check_kinds,
    decimal_of,
    drop_empty,
    money,
    round_cents,
)

READ_ONLY = frozenset({"UnappliedAmt"})
DEPOSIT_TYPES = ("Bank", "Other Current Asset")
UNDEPOSITED = "Undeposited Funds"


def _deposit_account(books: Books, body: Record) -> Record:
    ref = body.get("DepositToAccountRef")
    if isinstance(ref, dict) and ref.get("value"):
        account = writes.referenced(books, "Account", str(ref["value"]), "DepositToAccountRef")
    else:
        found = [a for a in books.table("Account").values() if a["Name"] == UNDEPOSITED]
        if not found:
            raise faults.required_missing("DepositToAccountRef", "Payment.DepositToAccountRef")
        account = found[0]
    if account["AccountType"] not in DEPOSIT_TYPES:
        raise faults.business_rule(
            "A payment can only be deposited to a Bank or Other Current Asset account.",
            "DepositToAccountRef",
        )
    return account


def _applied(
    books: Books, body: Record, customer_id: str, current: Record | None
) -> tuple[list[Record], Decimal]:
    lines = body.get("Line", [])
    if not isinstance(lines, list):
        raise faults.request_invalid("Line must be a list.")
    own = {} if current is None else _allocations(current)
    stored: list[Record] = []
    applied = Decimal(0)
    for line in lines:
        if not isinstance(line, dict):
            raise faults.request_invalid("Each Line must be an object.")
        check_kinds(line, LINE_KINDS, "Line")
        links = line.get("LinkedTxn")
        if not isinstance(links, list) or len(links) != 1:
            raise faults.required_missing("LinkedTxn", "Line.LinkedTxn")
        link = links[0]
        if not isinstance(link, dict):
            raise faults.unreadable_value("LinkedTxn", link, "object", "Line")
        check_kinds(link, LINKED_TXN_KINDS, "LinkedTxn")
        if link.get("TxnType") != "Invoice":
            raise faults.business_rule(
                "The emulator applies payments to invoices only (TxnType Invoice).", "TxnType"
            )
        invoice_id = str(link.get("TxnId", ""))
        invoice = books.table("Invoice").get(invoice_id)
        if invoice is None:
            raise faults.invalid_reference("Invoice", invoice_id, "LinkedTxn")
        if invoice["CustomerRef"]["value"] != customer_id:
            raise faults.business_rule(
                "A payment can only be applied to invoices of its own customer.", "LinkedTxn"
            )
        if invoice.get("PrivateNote") == "Voided":
            raise faults.business_rule(
                "A payment cannot be applied to a voided invoice.", "LinkedTxn"
            )
        if "Amount" not in line:
            raise faults.required_missing("Amount", "Line.Amount")
        amount = round_cents(decimal_of(line["Amount"], "Amount"))
        if amount <= 0:
            raise faults.business_rule("A payment line's Amount must be more than zero.", "Amount")
        open_balance = Decimal(str(invoice["Balance"])) + own.get(invoice_id, Decimal(0))
        if amount > open_balance:
            raise faults.business_rule(
                f"The payment amount {amount} is more than the open balance {open_balance} "
                f"of invoice {invoice['DocNumber']}.",
                "Amount",
            )
        applied += amount
        stored.append(
            {"Amount": money(amount), "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        )
    return stored, applied


def _allocations(payment: Record) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for line in payment.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") == "Invoice":
                found[link["TxnId"]] = found.get(link["TxnId"], Decimal(0)) + Decimal(
                    str(line["Amount"])
                )
    return found


def build(books: Books, body: Record, current: Record | None, now: datetime) -> Record:
    body = drop_empty(body)
    if current is not None and current.get("PrivateNote") == "Voided":
        raise faults.business_rule("A voided payment cannot be changed.", "Id")
    customer_id = writes.require_ref(body, "CustomerRef", "Payment")
    customer = writes.referenced(books, "Customer", customer_id, "CustomerRef")
    if "TotalAmt" not in body:
        raise faults.required_missing("TotalAmt", "Payment.TotalAmt")
    total = round_cents(decimal_of(body["TotalAmt"], "TotalAmt"))
    if total < 0:
        raise faults.business_rule("TotalAmt cannot be negative.", "TotalAmt")
    lines, applied = _applied(books, body, customer["Id"], current)
    if applied > total:
        raise faults.business_rule(
            "The amount applied to invoices is more than the payment's TotalAmt.", "TotalAmt"
        )
    account = _deposit_account(books, body)
    record: Record = {
        "CurrencyRef": books.locale.currency_ref(),
        "ProcessPayment": False,
    }
    record.update(body)
    record.update(
        {
            "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            "DepositToAccountRef": {"value": account["Id"], "name": account["Name"]},
            "TxnDate": check_date(body.get("TxnDate", local_date(books, now)), "TxnDate"),
            "TotalAmt": money(total),
            "UnappliedAmt": money(total - applied),
            "Line": lines,
        }
    )
    return record


def _unlink(books: Books, payment: Record, now: datetime) -> None:
    for invoice_id, amount in _allocations(payment).items():
        invoice = books.table("Invoice").get(invoice_id)
        if invoice is None:
            continue
        adjust_customer_balance(books, invoice, -1)
        invoice["Balance"] = money(Decimal(str(invoice["Balance"])) + amount)
        adjust_customer_balance(books, invoice, +1)
        invoice["LinkedTxn"] = [
            link
            for link in invoice.get("LinkedTxn", [])
            if not (link.get("TxnType") == "Payment" and link.get("TxnId") == payment["Id"])
        ]
        books.touch(invoice, now)


def _link(books: Books, payment: Record, now: datetime) -> None:
    for invoice_id, amount in _allocations(payment).items():
        invoice = books.table("Invoice")[invoice_id]
        adjust_customer_balance(books, invoice, -1)
        invoice["Balance"] = money(Decimal(str(invoice["Balance"])) - amount)
        adjust_customer_balance(books, invoice, +1)
        invoice.setdefault("LinkedTxn", []).append({"TxnId": payment["Id"], "TxnType": "Payment"})
        books.touch(invoice, now)


def index(books: Books, record: Record, now: datetime) -> None:
    _link(books, record, now)


def unindex(books: Books, record: Record, now: datetime) -> None:
    _unlink(books, record, now)


def delete(books: Books, record: Record, now: datetime) -> None:
    return None  # unindex gives the invoices their balance back


def void(books: Books, record: Record, now: datetime) -> None:
    _unlink(books, record, now)
    for line in record["Line"]:
        line["Amount"] = 0
    record["TotalAmt"] = 0
    record["UnappliedAmt"] = 0
    record["PrivateNote"] = "Voided"


PAYMENT = writes.EntityKind(
    name="Payment",
    kinds=PAYMENT_KINDS,
    read_only=READ_ONLY,
    build=build,
    index=index,
    unindex=unindex,
    delete=delete,
    void=void,
)
