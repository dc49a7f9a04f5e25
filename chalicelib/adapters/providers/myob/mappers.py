"""MYOB's records (AccountRight API v2 JSON) ↔ the service's normalised app records.

Choices where MYOB's model differs from the core's terms:
- an account is named by its `DisplayID` ("4-1000"), a tax code by its `Code` ("GST"),
  an item by its `Number`; MYOB links records by `UID`, so writes turn codes into UIDs
  (`CodeBook`);
- a customer is a company (`CompanyName`) or an individual (`FirstName`, `LastName`):
  Loc8 creates companies and reads individuals as "First Last"; email and phone live
  in the card's first address (`Location` 1);
- an invoice is recorded in MYOB's Item layout when every line sells an item MYOB
  holds, else in the Service layout, whose lines hold an account and a total (no
  quantity: a line of 3 x 10.00 is held as one line of 30.00); Loc8's invoice number is
  MYOB's `Number`, its reference the `Comment`, its link the journal memo;
- a customer payment applied to several invoices is told apart per invoice.

What MYOB cannot hold (a name longer than its field, an unknown account or tax code)
raises `CannotHold`, reported for that record alone; nothing is cut silently except
where the profile tells the core the limit first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.domain.accounting import (
    Account,
    AccountClass,
    AppContact,
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    AppItem,
    AppPayment,
    AppPaymentDraft,
    RecordStatus,
    TaxRate,
)

Record = dict[str, Any]
CENT = Decimal("0.01")
LOC8_LINK_PREFIX = "Loc8: "
# Field lengths from MYOB's v2 reference.
COMPANY_NAME_MAX = 50
FIRST_NAME_MAX = 20
LAST_NAME_MAX = 30
DISPLAY_ID_MAX = 15
ITEM_NUMBER_MAX = 30
ITEM_NAME_MAX = 30
INVOICE_NUMBER_MAX = 13
COMMENT_MAX = 255
JOURNAL_MEMO_MAX = 255
RECEIPT_NUMBER_MAX = 13
MEMO_MAX = 255
PHONE_MAX = 21
PAYMENT_ACCOUNT_TYPES = frozenset({"Bank", "CreditCard"})
_CLASSES = {
    "Asset": AccountClass.ASSET,
    "Liability": AccountClass.LIABILITY,
    "Equity": AccountClass.EQUITY,
    "Income": AccountClass.REVENUE,
    "OtherIncome": AccountClass.REVENUE,
    "CostOfSales": AccountClass.EXPENSE,
    "Expense": AccountClass.EXPENSE,
    "OtherExpense": AccountClass.EXPENSE,
}


class CannotHold(ValueError):
    """MYOB cannot hold what Loc8 sent for this record; the message says what."""


def link(uid: str) -> Record:
    return {"UID": uid}


def updated_at(body: Mapping[str, Any]) -> datetime | None:
    """MYOB's LastModified is UTC without an offset."""
    value = body.get("LastModified")
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", ""))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def datetime_literal(moment: datetime) -> str:
    """An OData datetime literal in MYOB's terms: UTC, whole seconds, no offset."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = aware.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    return f"datetime'{text}'"


def quote(value: str) -> str:
    """An OData string literal (a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _date_time(value: date) -> str:
    return f"{value.isoformat()}T00:00:00"


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _ref(body: Any, field: str) -> str | None:
    if isinstance(body, dict) and body.get(field) not in (None, ""):
        return str(body[field])
    return None


def _status(body: Mapping[str, Any]) -> RecordStatus:
    return RecordStatus.ACTIVE if body.get("IsActive", True) else RecordStatus.ARCHIVED


def _fits(value: str | None, limit: int, what: str) -> str | None:
    if value is not None and len(value) > limit:
        raise CannotHold(f"MYOB Business holds {what} of up to {limit} characters.")
    return value


# --- settings -------------------------------------------------------------------------


def account_from_myob(body: Mapping[str, Any]) -> Account | None:
    """None for a header account (nothing posts to it) or a class MYOB does not list."""
    account_class = _CLASSES.get(str(body.get("Classification") or ""))
    if account_class is None or body.get("IsHeader"):
        return None
    account_type = str(body.get("Type") or "")
    return Account(
        code=str(body["DisplayID"]),
        name=str(body.get("Name") or body["DisplayID"]),
        type=account_type,
        account_class=account_class,
        status=_status(body),
        tax_type=_ref(body.get("TaxCode"), "Code"),
        accepts_payments=account_type in PAYMENT_ACCOUNT_TYPES,
        is_bank=account_type == "Bank",
    )


def tax_rate_from_myob(body: Mapping[str, Any]) -> TaxRate:
    return TaxRate(
        code=str(body["Code"]),
        name=str(body.get("Description") or body["Code"]),
        rate=Decimal(str(body.get("Rate") or 0)),
        status=RecordStatus.ACTIVE,
    )


@dataclass(frozen=True)
class CodeBook:
    """The company file's codes and the UIDs MYOB links them by, read once a job."""

    accounts: Mapping[str, Record]  # by DisplayID
    tax_codes: Mapping[str, Record]  # by Code
    items: dict[str, Record]  # by Number, case folded

    def remember_item(self, record: Record) -> None:
        self.items[str(record.get("Number") or "").casefold()] = record

    def account_uid(self, code: str) -> str:
        found = self.accounts.get(code)
        if found is None or found.get("IsHeader"):
            raise CannotHold(f"MYOB Business has no account {code} that sales can post to.")
        return str(found["UID"])

    def tax_uid(self, code: str) -> str:
        found = self.tax_codes.get(code)
        if found is None:
            raise CannotHold(f"MYOB Business has no tax code {code}.")
        return str(found["UID"])

    def account_tax_code(self, account_code: str | None) -> str | None:
        return _ref((self.accounts.get(account_code or "") or {}).get("TaxCode"), "Code")

    def sold_item(self, number: str | None) -> Record | None:
        """The active item MYOB sells under this number, if any."""
        found = self.items.get((number or "").casefold())
        if found is None or not found.get("IsSold") or not found.get("IsActive", True):
            return None
        return found

    def default_tax_code(self) -> str:
        """The code a new customer card sells with: GST where the file has it."""
        if "GST" in self.tax_codes:
            return "GST"
        if not self.tax_codes:
            raise CannotHold("MYOB Business has no tax codes for a customer card to use.")
        return sorted(self.tax_codes)[0]


# --- customers ------------------------------------------------------------------------


def customer_name(body: Mapping[str, Any]) -> str:
    if body.get("IsIndividual"):
        parts = (body.get("FirstName"), body.get("LastName"))
        return " ".join(str(part) for part in parts if part)
    return str(body.get("CompanyName") or "")


def _first_address(body: Mapping[str, Any]) -> Record:
    for address in body.get("Addresses") or []:
        if isinstance(address, dict) and address.get("Location") == 1:
            return address
    return {}


def contact_from_myob(body: Mapping[str, Any]) -> AppContact:
    address = _first_address(body)
    return AppContact(
        id=str(body["UID"]),
        name=customer_name(body),
        email=address.get("Email") or None,
        phone=address.get("Phone1") or None,
        is_customer=True,
        status=_status(body),
        updated_at=updated_at(body),
    )


def contact_to_myob(
    draft: AppContactDraft, existing: Mapping[str, Any] | None, codes: CodeBook
) -> Record:
    """A new company card, or (with the card as read) the whole card back with the
    fields Loc8 owns changed: PUT replaces the record, so nothing else is lost."""
    if existing is None:
        tax = link(codes.tax_uid(codes.default_tax_code()))
        body: Record = {
            "IsIndividual": False,
            "SellingDetails": {"TaxCode": tax, "FreightTaxCode": tax},
        }
    else:
        body = copy.deepcopy(dict(existing))
    if body.get("IsIndividual") and customer_name(body) != draft.name:
        first, _, last = draft.name.rpartition(" ")
        body["FirstName"] = _fits(first or None, FIRST_NAME_MAX, "an individual's first name")
        body["LastName"] = _fits(last, LAST_NAME_MAX, "an individual's last name")
    elif not body.get("IsIndividual"):
        body["CompanyName"] = _fits(draft.name, COMPANY_NAME_MAX, "a company name")
    if draft.contact_number:
        body["DisplayID"] = _fits(draft.contact_number, DISPLAY_ID_MAX, "card IDs")
    addresses = [dict(a) for a in body.get("Addresses") or [] if isinstance(a, dict)]
    first_address = next((a for a in addresses if a.get("Location") == 1), None)
    if first_address is None and (draft.email or draft.phone):
        first_address = {"Location": 1}
        addresses.insert(0, first_address)
    if first_address is not None:
        first_address["Email"] = draft.email
        if draft.phone is not None:
            first_address["Phone1"] = _fits(draft.phone, PHONE_MAX, "phone numbers")
    body["Addresses"] = addresses
    return body


# --- items ----------------------------------------------------------------------------


def item_from_myob(body: Mapping[str, Any]) -> AppItem | None:
    """None for an item MYOB does not sell (only bought or stocked)."""
    if not body.get("IsSold"):
        return None
    selling = body.get("SellingDetails") or {}
    return AppItem(
        id=str(body["UID"]),
        code=str(body.get("Number") or ""),
        name=str(body.get("Name") or ""),
        description=body.get("Description"),
        unit_price=_decimal(selling.get("BaseSellingPrice")),
        account_code=_ref(body.get("IncomeAccount"), "DisplayID"),
        tax_type=_ref(selling.get("TaxCode"), "Code"),
        updated_at=updated_at(body),
    )


def item_to_myob(item: AppItem, existing: Mapping[str, Any] | None, codes: CodeBook) -> Record:
    """A sold item: MYOB needs its income account and selling tax code (the income
    account's own tax code when Loc8 names none)."""
    body: Record = copy.deepcopy(dict(existing)) if existing is not None else {}
    account_code = item.account_code or _ref(body.get("IncomeAccount"), "DisplayID")
    if not account_code:
        raise CannotHold("MYOB Business needs an income account for an item it sells.")
    selling = dict(body.get("SellingDetails") or {})
    tax_code = (
        item.tax_type
        or _ref(selling.get("TaxCode"), "Code")
        or codes.account_tax_code(account_code)
    )
    if not tax_code:
        raise CannotHold("MYOB Business needs a tax code for an item it sells.")
    body.update(
        {
            "Number": _fits(item.code, ITEM_NUMBER_MAX, "item numbers"),
            "Name": _fits(item.name, ITEM_NAME_MAX, "item names"),
            "IsSold": True,
            "IncomeAccount": link(codes.account_uid(account_code)),
        }
    )
    if item.description is not None:
        body["Description"] = item.description
    if item.unit_price is not None:
        selling["BaseSellingPrice"] = _money(item.unit_price)
    selling["TaxCode"] = link(codes.tax_uid(tax_code))
    body["SellingDetails"] = selling
    return body


# --- invoices -------------------------------------------------------------------------

ITEM_LAYOUT = "Item"
SERVICE_LAYOUT = "Service"


def invoice_status(body: Mapping[str, Any]) -> AppInvoiceStatus:
    total = _decimal(body.get("TotalAmount")) or Decimal(0)
    if str(body.get("Status") or "") == "Closed" and total > 0:
        return AppInvoiceStatus.PAID
    return AppInvoiceStatus.APPROVED


def _due_date(body: Mapping[str, Any], issued: date) -> date | None:
    terms = body.get("Terms") or {}
    if not isinstance(terms, dict):
        return None
    if terms.get("DueDate"):
        return _date(terms["DueDate"])
    days = terms.get("BalanceDueDate")
    if terms.get("PaymentIsDue") == "InAGivenNumberOfDays" and isinstance(days, int):
        return issued + timedelta(days=days)
    return None


def invoice_from_myob(body: Mapping[str, Any]) -> AppInvoice:
    layout = str(body.get("InvoiceType") or SERVICE_LAYOUT)
    lines: list[AppInvoiceLine] = []
    for line in body.get("Lines") or []:
        if line.get("Type", "Transaction") != "Transaction":
            continue
        total = _decimal(line.get("Total")) or Decimal(0)
        if layout == ITEM_LAYOUT:
            quantity = _decimal(line.get("ShipQuantity")) or Decimal(0)
            price = _decimal(line.get("UnitPrice")) or Decimal(0)
        else:
            quantity, price = Decimal(1), total
        lines.append(
            AppInvoiceLine(
                id=str(line["RowID"]) if line.get("RowID") is not None else None,
                description=str(line.get("Description") or ""),
                quantity=quantity,
                unit_amount=price,
                account_code=_ref(line.get("Account"), "DisplayID"),
                tax_type=_ref(line.get("TaxCode"), "Code"),
                item_code=_ref(line.get("Item"), "Number"),
            )
        )
    total = _decimal(body.get("TotalAmount"))
    due = _decimal(body.get("BalanceDueAmount"))
    issued = _date(body.get("Date")) or (updated_at(body) or datetime.now(UTC)).date()
    memo = str(body.get("JournalMemo") or "")
    return AppInvoice(
        id=str(body["UID"]),
        number=str(body.get("Number") or ""),
        contact_id=_ref(body.get("Customer"), "UID") or "",
        status=invoice_status(body),
        date=issued,
        due_date=_due_date(body, issued),
        reference=body.get("Comment") or None,
        url=memo[len(LOC8_LINK_PREFIX) :] if memo.startswith(LOC8_LINK_PREFIX) else None,
        lines=lines,
        total=total,
        amount_due=due,
        amount_paid=(total - due) if total is not None and due is not None else None,
        updated_at=updated_at(body),
    )


def layout_for(invoice: AppInvoice, codes: CodeBook) -> str:
    """Item layout when every line sells an item MYOB holds; else Service."""
    if invoice.lines and all(codes.sold_item(line.item_code) for line in invoice.lines):
        return ITEM_LAYOUT
    return SERVICE_LAYOUT


def line_total(line: AppInvoiceLine) -> Decimal:
    return (line.quantity * line.unit_amount).quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_to_myob(
    invoice: AppInvoice, layout: str, codes: CodeBook, existing: Mapping[str, Any] | None
) -> Record:
    """The whole sale (PUT replaces it): the existing one's other fields are kept."""
    body: Record = copy.deepcopy(dict(existing)) if existing is not None else {}
    body.update(
        {
            "Number": _fits(invoice.number, INVOICE_NUMBER_MAX, "invoice numbers"),
            "Date": _date_time(invoice.date),
            "Customer": link(invoice.contact_id),
            "IsTaxInclusive": False,
            "Lines": [_line_to_myob(line, layout, codes) for line in invoice.lines],
        }
    )
    if invoice.due_date is not None:
        days = (invoice.due_date - invoice.date).days
        if days < 0:
            raise CannotHold("MYOB Business cannot hold a due date before the invoice date.")
        body["Terms"] = {"PaymentIsDue": "InAGivenNumberOfDays", "BalanceDueDate": days}
    if invoice.reference is not None:
        body["Comment"] = _fits(invoice.reference, COMMENT_MAX, "an invoice comment")
    if invoice.url:
        memo = f"{LOC8_LINK_PREFIX}{invoice.url}"
        # A link cut short leads nowhere: it is left out rather than cut.
        body["JournalMemo"] = memo if len(memo) <= JOURNAL_MEMO_MAX else body.get("JournalMemo")
    return body


def _line_to_myob(line: AppInvoiceLine, layout: str, codes: CodeBook) -> Record:
    body: Record = {"Type": "Transaction", "Description": line.description or None}
    if line.id and line.id.isdigit():
        body["RowID"] = int(line.id)
    if layout == ITEM_LAYOUT:
        item = codes.sold_item(line.item_code)
        if item is None:
            raise CannotHold(f"MYOB Business sells no item {line.item_code} on this sale.")
        selling = item.get("SellingDetails") or {}
        tax_code = line.tax_type or _ref(selling.get("TaxCode"), "Code")
        body.update(
            {
                "Item": link(str(item["UID"])),
                "ShipQuantity": float(line.quantity),
                "UnitPrice": float(line.unit_amount),
                "Total": _money(line_total(line)),
            }
        )
    else:
        account_code = line.account_code or _ref(
            (codes.sold_item(line.item_code) or {}).get("IncomeAccount"), "DisplayID"
        )
        if not account_code:
            raise CannotHold(f"MYOB Business needs an account for the line '{line.description}'.")
        if not line.description:
            raise CannotHold("MYOB Business needs a description on every service line.")
        tax_code = line.tax_type or codes.account_tax_code(account_code)
        body.update(
            {"Account": link(codes.account_uid(account_code)), "Total": _money(line_total(line))}
        )
    if not tax_code:
        raise CannotHold(f"MYOB Business needs a tax code for the line '{line.description}'.")
    body["TaxCode"] = link(codes.tax_uid(tax_code))
    return body


# --- payments -------------------------------------------------------------------------


def payments_from_myob(body: Mapping[str, Any]) -> list[AppPayment]:
    """One record per invoice the payment is applied to; one applied to several
    invoices is told apart per invoice."""
    applied = [
        (str(part["UID"]), _decimal(part.get("AmountApplied")) or Decimal(0))
        for part in body.get("Invoices") or []
        if isinstance(part, dict) and part.get("UID") and part.get("Type", "Invoice") == "Invoice"
    ]
    if not applied:
        return []
    when = _date(body.get("Date")) or (updated_at(body) or datetime.now(UTC)).date()
    split = len(applied) > 1
    reference = body.get("Memo") or body.get("ReceiptNumber") or None
    return [
        AppPayment(
            id=f"{body['UID']}-{invoice_id}" if split else str(body["UID"]),
            invoice_id=invoice_id,
            amount=amount,
            date=when,
            reference=reference,
            updated_at=updated_at(body),
        )
        for invoice_id, amount in applied
    ]


def payment_to_myob(payment: AppPaymentDraft, customer_uid: str, codes: CodeBook) -> Record:
    account = codes.accounts.get(payment.account_code)
    if account is None or account.get("Type") not in PAYMENT_ACCOUNT_TYPES:
        raise CannotHold(
            f"MYOB Business deposits payments to a bank or credit card account; "
            f"{payment.account_code} is not one."
        )
    amount = _money(payment.amount)
    body: Record = {
        "DepositTo": "Account",
        "Account": link(str(account["UID"])),
        "Customer": link(customer_uid),
        "Date": _date_time(payment.date),
        "AmountReceived": amount,
        "Invoices": [{"UID": payment.invoice_id, "Type": "Invoice", "AmountApplied": amount}],
    }
    if payment.reference:
        body["Memo"] = _fits(payment.reference, MEMO_MAX, "a payment memo")
    return body
