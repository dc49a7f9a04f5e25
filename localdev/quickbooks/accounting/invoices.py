"""Invoice: sales lines with a tax code each, totals and tax worked out by the API.

QuickBooks has no draft invoices: a saved invoice is open until payments bring its
Balance to zero. Line amounts are net of tax here; GlobalTaxCalculation says how the
invoice shows them (TaxExcluded: tax on top; TaxInclusive: prices shown with tax;
NotApplicable: no tax), and each taxed line carries its TaxInclusiveAmt. An AU, UK or
CA company needs a TaxCodeRef on every sales line (Intuit: "Make sure all your
transactions have a GST rate before you save."); a US company's lines say `TAX` or
`NON` (automated sales tax; the emulator charges a flat rate, see locales.py).
DocNumber is unique among invoices (6140, as with the company preference to warn about
duplicate numbers on - the strict setting); one left out is numbered from 1001 up.
Voiding zeroes the amounts and keeps the record; deleting removes it; both are refused
while payments are applied to it (void or delete the payments first).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from localdev.quickbooks.accounting import faults, writes
from localdev.quickbooks.accounting.books import Books, Record, fold
from localdev.quickbooks.accounting.dates import check_date, local_date
from localdev.quickbooks.accounting.locales import AUTOMATED_RATE, US_LINE_CODES
from localdev.quickbooks.accounting.schema import (
    INVOICE_KINDS,
    LINE_KINDS,
    SALES_ITEM_LINE_DETAIL_KINDS,
)
from localdev.quickbooks.accounting.values import (
    check_kinds,
    decimal_of,
    drop_empty,
    give_address_ids,
    money,
    plain_number,
    round_cents,
)

READ_ONLY = frozenset(
    {"TotalAmt", "HomeTotalAmt", "Balance", "HomeBalance", "TxnTaxDetail", "LinkedTxn"}
)
CALCULATIONS = ("TaxExcluded", "TaxInclusive", "NotApplicable")
LINE_TYPES = ("SalesItemLineDetail", "DescriptionOnly", "SubTotalLineDetail")
MAX_DOC_NUMBER = 21  # Intuit's Invoice reference: DocNumber max 21 characters
# Intuit's wording names the country's tax: "GST" (AU), "GST/HST" (CA), "VAT" (UK).
RATE_MISSING = "Make sure all your transactions have a {tax} rate before you save."
AUTOMATED = "Automated"  # US companies: automated sales tax, no GlobalTaxCalculation
AUTOMATED_RATE_ID = ""  # the tax line of automated sales tax names no TaxRate
FIRST_NUMBER = 1001


def _sales_tax_percent(books: Books, code: Record) -> tuple[Decimal, str | None]:
    """The sales rate a code charges (sum of its sales rates) and the first rate's Id."""
    details = code.get("SalesTaxRateList", {}).get("TaxRateDetail", [])
    if not details:
        raise faults.business_rule(
            f"Tax code {code['Name']} has no sales rate and cannot be used on a sale.",
            "TaxCodeRef",
        )
    total = Decimal(0)
    for detail in details:
        rate = books.table("TaxRate")[detail["TaxRateRef"]["value"]]
        total += Decimal(str(rate["RateValue"]))
    return total, details[0]["TaxRateRef"]["value"]


def _sales_line(
    books: Books, line: Record, number: int, calculation: str
) -> tuple[Record, Decimal, str | None, Decimal]:
    """The stored line, its net amount, its tax rate Id and its tax percent."""
    detail = line.get("SalesItemLineDetail")
    if not isinstance(detail, dict):
        raise faults.required_missing("SalesItemLineDetail", "Line.SalesItemLineDetail")
    check_kinds(detail, SALES_ITEM_LINE_DETAIL_KINDS, "SalesItemLineDetail")
    detail = drop_empty(detail)
    item_id = writes.require_ref(detail, "ItemRef", "Line.SalesItemLineDetail")
    item = writes.referenced(books, "Item", item_id, "ItemRef")
    if "Amount" not in line:
        raise faults.required_missing("Amount", "Line.Amount")
    amount = round_cents(decimal_of(line["Amount"], "Amount"))
    qty = decimal_of(detail.get("Qty", 1), "Qty")
    if "UnitPrice" in detail:
        unit_price = decimal_of(detail["UnitPrice"], "UnitPrice")
    elif qty != 0:
        unit_price = amount / qty
    else:
        unit_price = Decimal(str(item.get("UnitPrice", 0)))
    if round_cents(qty * unit_price) != amount:
        raise faults.amount_mismatch(plain_number(amount))
    percent, rate_id = Decimal(0), None
    code_ref = detail.get("TaxCodeRef")
    if calculation == AUTOMATED:
        value = str(code_ref.get("value", "")) if isinstance(code_ref, dict) else "NON"
        if value not in US_LINE_CODES:
            raise faults.us_line_tax_code(value)
        if value == "TAX":
            percent, rate_id = AUTOMATED_RATE, AUTOMATED_RATE_ID
        detail["TaxCodeRef"] = {"value": value}
    elif calculation != "NotApplicable":
        if not isinstance(code_ref, dict) or not code_ref.get("value"):
            tax = books.locale.tax_word
            raise faults.business_rule(RATE_MISSING.format(tax=tax), "TaxCodeRef")
        code = writes.referenced(books, "TaxCode", str(code_ref["value"]), "TaxCodeRef")
        percent, rate_id = _sales_tax_percent(books, code)
        detail["TaxCodeRef"] = {"value": code["Id"]}
    detail["ItemRef"] = {"value": item["Id"], "name": item["Name"]}
    detail["UnitPrice"] = plain_number(unit_price)
    detail["Qty"] = plain_number(qty)
    detail.setdefault(
        "ItemAccountRef",
        {"value": item["IncomeAccountRef"]["value"], "name": item["IncomeAccountRef"]["name"]},
    )
    detail.pop("TaxInclusiveAmt", None)  # the API's, worked out from the net amount
    if calculation not in ("NotApplicable", AUTOMATED):
        detail["TaxInclusiveAmt"] = money(amount + round_cents(amount * percent / 100))
    stored: Record = {
        "Id": str(number),
        "LineNum": number,
        "Description": line.get("Description", item.get("Description", item["Name"])),
        "Amount": money(amount),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": detail,
    }
    return stored, amount, rate_id, percent


def _lines(books: Books, lines: object, calculation: str) -> tuple[list[Record], Record, Decimal]:
    """Stored lines (with the sub-total line QuickBooks adds), TxnTaxDetail and total."""
    if not isinstance(lines, list) or not lines:
        raise faults.required_missing("Line", "Invoice.Line")
    stored: list[Record] = []
    subtotal = Decimal(0)
    taxable: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for line in lines:
        if not isinstance(line, dict):
            raise faults.request_invalid("Each Line must be an object.")
        check_kinds(line, LINE_KINDS, "Line")
        line = drop_empty(line)
        kind = line.get("DetailType")
        if kind is None:
            raise faults.required_missing("DetailType", "Line.DetailType")
        if kind not in LINE_TYPES:
            raise faults.business_rule(
                f"Line DetailType {kind} is not supported by the emulator.", "DetailType"
            )
        if kind == "SubTotalLineDetail":
            continue  # the API works the sub-total out itself
        number = len(stored) + 1
        if kind == "DescriptionOnly":
            stored.append(
                {
                    "Id": str(number),
                    "LineNum": number,
                    "Description": str(line.get("Description", "")),
                    "DetailType": "DescriptionOnly",
                    "DescriptionLineDetail": {},
                }
            )
            continue
        record, amount, rate_id, percent = _sales_line(books, line, number, calculation)
        stored.append(record)
        subtotal += amount
        if rate_id is not None:
            net, _ = taxable[rate_id]
            taxable[rate_id] = (net + amount, percent)
    if not any(line["DetailType"] == "SalesItemLineDetail" for line in stored):
        raise faults.required_missing("SalesItemLineDetail", "Invoice.Line")
    tax_lines = []
    total_tax = Decimal(0)
    for rate_id, (net, percent) in taxable.items():
        tax = round_cents(net * percent / 100)
        total_tax += tax
        tax_lines.append(
            {
                "Amount": money(tax),
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    **({"TaxRateRef": {"value": rate_id}} if rate_id != AUTOMATED_RATE_ID else {}),
                    "PercentBased": True,
                    "TaxPercent": plain_number(percent),
                    "NetAmountTaxable": money(net),
                },
            }
        )
    stored.append(
        {"Amount": money(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    )
    detail = {"TotalTax": money(total_tax), "TaxLine": tax_lines}
    return stored, detail, subtotal + total_tax


def _doc_number(books: Books, body: Record, current: Record | None) -> str:
    number = body.get("DocNumber")
    if number is None:
        if current is not None:
            return str(current["DocNumber"])
        candidate = FIRST_NUMBER + len(books.table("Invoice"))
        while fold(str(candidate)) in books.doc_numbers:
            candidate += 1
        return str(candidate)
    number = str(number).strip()
    if len(number) > MAX_DOC_NUMBER:
        raise faults.invalid_value(
            f"String length is either shorter or longer than supported by specification. "
            f"Min:0 Max:{MAX_DOC_NUMBER} supported. Supplied length:{len(number)}",
            "DocNumber",
        )
    owner = books.doc_numbers.get(fold(number))
    if owner is not None and (current is None or owner != current["Id"]):
        raise faults.duplicate_doc_number(number, owner)
    return number


def paid_amount(books: Books, invoice_id: str) -> Decimal:
    """What payments have applied to an invoice so far."""
    total = Decimal(0)
    for payment in books.table("Payment").values():
        for line in payment.get("Line", []):
            for link in line.get("LinkedTxn", []):
                if link.get("TxnType") == "Invoice" and link.get("TxnId") == invoice_id:
                    total += Decimal(str(line["Amount"]))
    return total


def build(books: Books, body: Record, current: Record | None, now: datetime) -> Record:
    body = drop_empty(body)
    if current is not None and current.get("PrivateNote") == "Voided":
        raise faults.business_rule("A voided invoice cannot be changed.", "Id")
    customer_id = writes.require_ref(body, "CustomerRef", "Invoice")
    customer = writes.referenced(books, "Customer", customer_id, "CustomerRef")
    if books.locale.automated_sales_tax:
        if "GlobalTaxCalculation" in body:
            raise faults.business_rule(
                "GlobalTaxCalculation does not apply to a US company (automated sales tax).",
                "GlobalTaxCalculation",
            )
        calculation = AUTOMATED
    else:
        calculation = body.get("GlobalTaxCalculation", "TaxExcluded")
    if calculation not in (*CALCULATIONS, AUTOMATED):
        raise faults.invalid_value(
            f"Invalid GlobalTaxCalculation: {calculation}", "GlobalTaxCalculation"
        )
    lines, tax_detail, total = _lines(books, body.get("Line"), calculation)
    paid = Decimal(0) if current is None else paid_amount(books, current["Id"])
    if current is not None and paid and customer["Id"] != current["CustomerRef"]["value"]:
        raise faults.business_rule(
            "The customer of an invoice with payments applied cannot change.", "CustomerRef"
        )
    if total < paid:
        raise faults.business_rule(
            "The invoice total cannot be less than the payments applied to it.", "Line"
        )
    today = local_date(books, now)
    txn_date = check_date(body.get("TxnDate", today), "TxnDate")
    due_date = check_date(body.get("DueDate", txn_date), "DueDate")
    give_address_ids(books, body, ("BillAddr", "ShipAddr"))
    record: Record = {
        "AllowIPNPayment": False,
        "AllowOnlinePayment": False,
        "AllowOnlineCreditCardPayment": False,
        "AllowOnlineACHPayment": False,
        "CurrencyRef": books.locale.currency_ref(),
        "PrintStatus": "NotSet",
        "EmailStatus": "NotSet",
        "ApplyTaxAfterDiscount": False,
        "Deposit": 0,
    }
    record.update(body)
    record.update(
        {
            "DocNumber": _doc_number(books, body, current),
            "TxnDate": txn_date,
            "DueDate": due_date,
            "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            **({} if calculation == AUTOMATED else {"GlobalTaxCalculation": calculation}),
            "Line": lines,
            "TxnTaxDetail": tax_detail,
            "TotalAmt": money(total),
            "Balance": money(total - paid),
            "LinkedTxn": [] if current is None else current.get("LinkedTxn", []),
        }
    )
    return record


def adjust_customer_balance(books: Books, invoice: Record, sign: int) -> None:
    """A customer's Balance is what its open invoices still owe (its record's
    SyncToken and LastUpdatedTime do not move for that)."""
    customer = books.table("Customer").get(invoice["CustomerRef"]["value"])
    if customer is None:
        return
    delta = Decimal(str(invoice["Balance"])) * sign
    for name in ("Balance", "BalanceWithJobs"):
        customer[name] = money(Decimal(str(customer[name])) + delta)
    books.changed()


def index(books: Books, record: Record, now: datetime) -> None:
    books.doc_numbers[fold(record["DocNumber"])] = record["Id"]
    adjust_customer_balance(books, record, +1)


def unindex(books: Books, record: Record, now: datetime) -> None:
    if books.doc_numbers.get(fold(record["DocNumber"])) == record["Id"]:
        del books.doc_numbers[fold(record["DocNumber"])]
    adjust_customer_balance(books, record, -1)


def _refuse_with_payments(record: Record, action: str) -> None:
    if any(link.get("TxnType") == "Payment" for link in record.get("LinkedTxn", [])):
        raise faults.business_rule(
            f"This invoice has payments applied; {action} the payments first.", "Id"
        )


def delete(books: Books, record: Record, now: datetime) -> None:
    _refuse_with_payments(record, "delete")


def void(books: Books, record: Record, now: datetime) -> None:
    _refuse_with_payments(record, "void")
    adjust_customer_balance(books, record, -1)
    for line in record["Line"]:
        line["Amount"] = 0
        detail = line.get("SalesItemLineDetail")
        if detail is not None:
            detail["Qty"] = 0
            detail.pop("TaxInclusiveAmt", None)
    record["TxnTaxDetail"] = {"TotalTax": 0, "TaxLine": []}
    record["TotalAmt"] = 0
    record["Balance"] = 0
    record["PrivateNote"] = "Voided"


INVOICE = writes.EntityKind(
    name="Invoice",
    kinds=INVOICE_KINDS,
    read_only=READ_ONLY,
    build=build,
    index=index,
    unindex=unindex,
    delete=delete,
    void=void,
)
