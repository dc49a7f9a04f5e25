"""Xero's JSON shapes ↔ the service's normalised app records."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
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

MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")

# Xero's Invoice.Status values; SUBMITTED is "awaiting approval" in Xero's web app.
INVOICE_STATUS_FROM_XERO = {
    "DRAFT": AppInvoiceStatus.DRAFT,
    "SUBMITTED": AppInvoiceStatus.AWAITING_APPROVAL,
    "AUTHORISED": AppInvoiceStatus.APPROVED,
    "PAID": AppInvoiceStatus.PAID,
    "VOIDED": AppInvoiceStatus.VOIDED,
    "DELETED": AppInvoiceStatus.DELETED,
}
INVOICE_STATUS_TO_XERO = {status: xero for xero, status in INVOICE_STATUS_FROM_XERO.items()}


def record_status(value: Any) -> RecordStatus:
    """Xero's ACTIVE is active; ARCHIVED, DELETED, VOIDED, GDPRREQUEST, PENDING are not
    to be used. A payment's AUTHORISED is Xero's word for an active payment."""
    return RecordStatus.ACTIVE if value in ("ACTIVE", "AUTHORISED") else RecordStatus.ARCHIVED


def invoice_status(value: Any) -> AppInvoiceStatus:
    return INVOICE_STATUS_FROM_XERO.get(str(value or "DRAFT"), AppInvoiceStatus.DRAFT)


def parse_ms_datetime(value: Any) -> datetime | None:
    """Xero's `/Date(1700000000000+0000)/` (or an ISO string) as an aware UTC datetime."""
    if not value:
        return None
    match = MS_DATE.fullmatch(str(value))
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any, fallback: Any = None) -> date | None:
    moment = parse_ms_datetime(value) if value else None
    if moment is not None:
        return moment.date()
    if fallback:
        return datetime.fromisoformat(str(fallback)[:10]).date()
    return None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def account_from_xero(body: dict[str, Any]) -> Account | None:
    """None for an account no invoice line can use: no code (some bank accounts), or a
    class Xero does not document."""
    try:
        account_class = AccountClass(body.get("Class") or "")
    except ValueError:
        return None
    if not body.get("Code"):
        return None
    return Account(
        code=body["Code"],
        name=body.get("Name") or "",
        type=body.get("Type") or "",
        account_class=account_class,
        status=record_status(body.get("Status")),
        tax_type=body.get("TaxType"),
        # Xero takes payments into BANK accounts and those with "Enable payments to this
        # account" set (spec: Account.EnablePaymentsToAccount).
        accepts_payments=body.get("Type") == "BANK" or bool(body.get("EnablePaymentsToAccount")),
        is_bank=body.get("Type") == "BANK",
    )


def tax_rate_from_xero(body: dict[str, Any]) -> TaxRate | None:
    if not body.get("TaxType"):
        return None
    return TaxRate(
        code=body["TaxType"],
        name=body.get("Name") or body["TaxType"],
        rate=Decimal(str(body.get("EffectiveRate", body.get("DisplayTaxRate", 0)))),
        status=record_status(body.get("Status")),
        applies_to_revenue=bool(body.get("CanApplyToRevenue", True)),
    )


def contact_from_xero(body: dict[str, Any]) -> AppContact:
    phones = [p for p in body.get("Phones") or [] if p.get("PhoneNumber")]
    phone = None
    if phones:
        first = phones[0]
        phone = " ".join(
            part for part in (first.get("PhoneAreaCode"), first.get("PhoneNumber")) if part
        )
    return AppContact(
        id=body["ContactID"],
        name=body.get("Name") or "",
        email=body.get("EmailAddress") or None,
        phone=phone,
        is_customer=bool(body.get("IsCustomer")),
        is_supplier=bool(body.get("IsSupplier")),
        status=record_status(body.get("ContactStatus") or "ACTIVE"),
        updated_at=parse_ms_datetime(body.get("UpdatedDateUTC")),
    )


def contact_to_xero(draft: AppContactDraft) -> dict[str, Any]:
    body: dict[str, Any] = {"Name": draft.name}
    if draft.id:
        body["ContactID"] = draft.id
    if draft.email is not None:
        body["EmailAddress"] = draft.email
    if draft.contact_number:
        body["ContactNumber"] = draft.contact_number
    if draft.phone:
        body["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": draft.phone}]
    return body


def item_from_xero(body: dict[str, Any]) -> AppItem:
    sales = body.get("SalesDetails") or {}
    return AppItem(
        id=body.get("ItemID"),
        code=body.get("Code") or "",
        name=body.get("Name") or body.get("Code") or "",
        description=body.get("Description"),
        unit_price=_decimal(sales.get("UnitPrice")),
        account_code=sales.get("AccountCode"),
        tax_type=sales.get("TaxType"),
        updated_at=parse_ms_datetime(body.get("UpdatedDateUTC")),
    )


def item_to_xero(item: AppItem) -> dict[str, Any]:
    sales: dict[str, Any] = {}
    if item.unit_price is not None:
        sales["UnitPrice"] = float(item.unit_price)
    if item.account_code:
        sales["AccountCode"] = item.account_code
    if item.tax_type:
        sales["TaxType"] = item.tax_type
    name = item.name[: XERO_PROFILE.item_name_max_length]
    body: dict[str, Any] = {"Code": item.code, "Name": name, "IsSold": True}
    if item.id:
        body["ItemID"] = item.id
    if item.description is not None:
        body["Description"] = item.description
    if sales:
        body["SalesDetails"] = sales
    return body


def invoice_from_xero(body: dict[str, Any]) -> AppInvoice:
    return AppInvoice(
        id=body.get("InvoiceID"),
        number=body.get("InvoiceNumber") or "",
        contact_id=(body.get("Contact") or {}).get("ContactID", ""),
        status=invoice_status(body.get("Status")),
        date=parse_date(body.get("Date"), body.get("DateString")) or date.today(),
        due_date=parse_date(body.get("DueDate"), body.get("DueDateString")),
        reference=body.get("Reference"),
        url=body.get("Url"),
        lines=[
            AppInvoiceLine(
                id=line.get("LineItemID"),
                description=line.get("Description") or "",
                quantity=_decimal(line.get("Quantity")) or Decimal(0),
                unit_amount=_decimal(line.get("UnitAmount")) or Decimal(0),
                account_code=line.get("AccountCode"),
                tax_type=line.get("TaxType"),
                item_code=line.get("ItemCode"),
            )
            for line in body.get("LineItems") or []
        ],
        total=_decimal(body.get("Total")),
        amount_due=_decimal(body.get("AmountDue")),
        amount_paid=_decimal(body.get("AmountPaid")),
        payments=[
            _invoice_payment(payment, body.get("InvoiceID") or "")
            for payment in body.get("Payments") or []
            if payment.get("PaymentID")
        ],
        updated_at=parse_ms_datetime(body.get("UpdatedDateUTC")),
    )


def _invoice_payment(body: dict[str, Any], invoice_id: str) -> AppPayment:
    """A payment as Xero nests it in an invoice: only its live payments are listed."""
    return AppPayment(
        id=body["PaymentID"],
        invoice_id=invoice_id,
        amount=_decimal(body.get("Amount")) or Decimal(0),
        date=parse_date(body.get("Date")) or date.today(),
        reference=body.get("Reference") or None,
    )


def invoice_to_xero(invoice: AppInvoice) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactID": invoice.contact_id},
        "InvoiceNumber": invoice.number,
        "Date": invoice.date.isoformat(),
        "Status": INVOICE_STATUS_TO_XERO[invoice.status],
        "LineAmountTypes": "Exclusive",
        "LineItems": [_line_to_xero(line) for line in invoice.lines],
    }
    if invoice.id:
        body["InvoiceID"] = invoice.id
    if invoice.due_date:
        body["DueDate"] = invoice.due_date.isoformat()
    if invoice.reference:
        body["Reference"] = invoice.reference
    if invoice.url:
        body["Url"] = invoice.url
    return body


def _line_to_xero(line: AppInvoiceLine) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Description": line.description,
        "Quantity": float(line.quantity),
        "UnitAmount": float(line.unit_amount),
    }
    for key, value in (
        ("LineItemID", line.id),
        ("AccountCode", line.account_code),
        ("TaxType", line.tax_type),
        ("ItemCode", line.item_code),
    ):
        if value:
            body[key] = value
    return body


def payment_from_xero(body: dict[str, Any]) -> AppPayment:
    return AppPayment(
        id=body["PaymentID"],
        invoice_id=(body.get("Invoice") or {}).get("InvoiceID", ""),
        amount=_decimal(body.get("Amount")) or Decimal(0),
        date=parse_date(body.get("Date")) or date.today(),
        reference=body.get("Reference"),
        status=record_status(body.get("Status") or "AUTHORISED"),
        updated_at=parse_ms_datetime(body.get("UpdatedDateUTC")),
    )


def payment_to_xero(payment: AppPaymentDraft) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Invoice": {"InvoiceID": payment.invoice_id},
        "Account": {"Code": payment.account_code},
        "Date": payment.date.isoformat(),
        "Amount": float(payment.amount),
    }
    if payment.reference:
        body["Reference"] = payment.reference
    return body
