"""Sale/CustomerPayment: money received against a customer's open invoices."""

from __future__ import annotations

from decimal import Decimal

from localdev.myob import errors, links
from localdev.myob.books import Books
from localdev.myob.fields import Body, money
from localdev.myob.resources.base import (
    ACCOUNT,
    CUSTOMER,
    ITEM_INVOICE,
    SERVICE_INVOICE,
    Record,
    Resource,
    linked,
)

_APPLIED_KEYS = frozenset({"UID", "Type", "AmountApplied", "Number", "URI", "RowID"})


class PaymentResource(Resource):
    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        body.refuse_unknown(self.fields)
        record = self.blank()
        deposit_to = body.choice("DepositTo", ("Account", "UndepositedFunds"))
        if deposit_to is None and "DepositTo" not in body.data:
            body.add(errors.required("DepositTo"))
        record["DepositTo"] = deposit_to
        account = linked(books, body, "Account", ACCOUNT, required=deposit_to == "Account")
        if account is not None and account["Type"] not in ("Bank", "CreditCard"):
            body.add(
                errors.invalid(
                    "Account",
                    "Payments are deposited to a bank or credit card account",
                    "InvalidAccount",
                )
            )
        record["Account"] = links.account(account) if account else None
        customer = linked(books, body, "Customer", CUSTOMER, required=True)
        record["Customer"] = links.customer(customer) if customer else None
        record["ReceiptNumber"] = body.string("ReceiptNumber", 13)
        record["Date"] = body.date("Date", required=True)
        record["PaymentMethod"] = body.string("PaymentMethod", 255)
        record["Memo"] = body.string("Memo", 255)
        record["Invoices"] = self._applied(body, books, customer)
        applied = sum((Decimal(str(i["AmountApplied"])) for i in record["Invoices"]), Decimal(0))
        received = body.decimal("AmountReceived")
        if received is not None and received != applied:
            body.add(
                errors.invalid(
                    "AmountReceived",
                    "AmountReceived must equal the sum of AmountApplied",
                    "AmountMismatch",
                )
            )
        record["AmountReceived"] = money(applied)
        return record

    def _applied(self, body: Body, books: Books, customer: Record | None) -> list[Record]:
        raw = body.data.get("Invoices")
        if not isinstance(raw, list) or not raw:
            body.add(errors.required("Invoices"))
            return []
        applied: list[Record] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            part = body.nested(entry, f"Invoices[{index}].")
            if part is None:
                continue
            part.refuse_unknown(_APPLIED_KEYS)
            if part.choice("Type", ("Invoice",), "Invoice") is None:
                continue
            uid = str(part.data.get("UID") or "").lower()
            invoice = books.find(ITEM_INVOICE, uid) or books.find(SERVICE_INVOICE, uid)
            amount = part.decimal("AmountApplied", required=True)
            if invoice is None:
                part.add(errors.not_found_reference(part.name("UID"), uid or None))
                continue
            if uid in seen:
                part.add(errors.invalid(part.name("UID"), "An invoice is paid once per payment"))
            seen.add(uid)
            if customer is not None and invoice["Customer"]["UID"] != customer["UID"]:
                part.add(
                    errors.invalid(
                        part.name("UID"), f"Invoice {invoice['Number']} belongs to another customer"
                    )
                )
            if amount is not None and (
                amount <= 0 or amount > Decimal(str(invoice["BalanceDueAmount"]))
            ):
                part.add(
                    errors.invalid(
                        part.name("AmountApplied"),
                        "AmountApplied must be more than 0 and at most the balance due of invoice"
                        f" {invoice['Number']} ({invoice['BalanceDueAmount']})",
                        "AmountAppliedExceedsBalanceDue",
                    )
                )
            applied.append(
                {
                    "RowID": index + 1,
                    "Number": invoice["Number"],
                    "UID": invoice["UID"],
                    "URI": invoice["URI"],
                    "Type": "Invoice",
                    "AmountApplied": money(amount or Decimal(0)),
                }
            )
        return applied

    def after_write(self, books: Books, record: Record, previous: Record | None) -> None:
        self._apply(books, record, Decimal(1), record["Date"])

    def after_delete(self, books: Books, record: Record) -> None:
        self._apply(books, record, Decimal(-1), None)

    def _apply(self, books: Books, payment: Record, sign: Decimal, date: str | None) -> None:
        for applied in payment["Invoices"]:
            invoice = books.find(ITEM_INVOICE, applied["UID"]) or books.find(
                SERVICE_INVOICE, applied["UID"]
            )
            if invoice is None:
                continue
            balance = Decimal(str(invoice["BalanceDueAmount"])) - sign * Decimal(
                str(applied["AmountApplied"])
            )
            invoice["BalanceDueAmount"] = money(balance)
            invoice["Status"] = "Closed" if balance == 0 else "Open"
            if date is not None:
                invoice["LastPaymentDate"] = date
            books.touch(invoice)
