"""QuickBooks Online's JSON entities ↔ the service's normalised app records.

Choices where QuickBooks' model differs from the core's terms:
- an account and a tax rate are named by their QuickBooks `Id` (AcctNum is optional
  and off by default; a TaxCodeRef carries the Id);
- an item's code is its `Sku` (Loc8's code is written there), or its `Name` when it has
  no SKU; the item's `Name` is Loc8's name;
- an invoice line's account comes from its item's IncomeAccountRef (QuickBooks codes
  sales lines through items), so a line's account is read from `ItemAccountRef` and
  never written;
- Loc8's invoice reference is the customer memo (printed on the invoice) and Loc8's
  link back to the invoice is the private note, so a lost create can be recognised;
- records Change Data Capture reports deleted (`"status": "Deleted"`) come back as
  archived contacts and payments and deleted invoices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
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

# The private note Loc8 writes on an invoice it sends, before its own link.
LOC8_LINK_PREFIX = "Loc8: "
# Item types that are sold with an income account; Category and Group are not items
# a line can carry on its own.
SALES_ITEM_TYPES = frozenset({"Service", "NonInventory", "Inventory"})
# Accounts QuickBooks lets a customer payment be deposited into.
PAYMENT_ACCOUNT_TYPES = frozenset({"Bank", "Other Current Asset"})
CENT = Decimal("0.01")
# QuickBooks Payment.PaymentRefNum: "Max. length: 21 characters" (Finance.xsd).
PAYMENT_REFERENCE_MAX = 21
# Invoice.CustomerMemo and PrivateNote: 1000 and 4000 characters (API reference).
CUSTOMER_MEMO_MAX = 1000


def ref(value: str) -> dict[str, str]:
    return {"value": value}


def ref_value(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("value") not in (None, ""):
        return str(body["value"])
    return None


def is_deleted(body: Mapping[str, Any]) -> bool:
    """Change Data Capture's entry for a deleted record."""
    return str(body.get("status") or "").lower() == "deleted"


def updated_at(body: Mapping[str, Any]) -> datetime | None:
    meta = body.get("MetaData") or {}
    value = meta.get("LastUpdatedTime") if isinstance(meta, dict) else None
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _active(body: Mapping[str, Any]) -> RecordStatus:
    if is_deleted(body) or body.get("Active") is False:
        return RecordStatus.ARCHIVED
    return RecordStatus.ACTIVE


# --- settings -------------------------------------------------------------------------


def account_from_qbo(body: Mapping[str, Any]) -> Account | None:
    """None for an account of a class QuickBooks does not document."""
    try:
        account_class = AccountClass(str(body.get("Classification") or "").upper())
    except ValueError:
        return None
    account_type = str(body.get("AccountType") or "")
    return Account(
        code=str(body["Id"]),
        name=str(body.get("FullyQualifiedName") or body.get("Name") or body["Id"]),
        type=account_type,
        account_class=account_class,
        status=_active(body),
        tax_type=ref_value(body.get("TaxCodeRef")),
        accepts_payments=account_type in PAYMENT_ACCOUNT_TYPES,
        is_bank=account_type == "Bank",
    )


def tax_rate_from_qbo(code: Mapping[str, Any], rates: Mapping[str, Decimal]) -> TaxRate:
    """A TaxCode as one rate: the sum of its sales TaxRates (`rates` by TaxRate Id).
    A code with no sales rate list applies to purchases only."""
    sales = (code.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
    rate = sum(
        (rates.get(ref_value(detail.get("TaxRateRef")) or "", Decimal(0)) for detail in sales),
        Decimal(0),
    )
    return TaxRate(
        code=str(code["Id"]),
        name=str(code.get("Name") or code["Id"]),
        rate=rate,
        status=_active(code),
        applies_to_revenue=bool(sales),
    )


# Automated sales tax (US companies, since Nov 2017) works the rate out per customer
# address; lines carry only whether they are taxable.
US_TAX_RATES = (
    TaxRate(
        code="TAX",
        name="Taxable (automated sales tax)",
        rate=Decimal(0),
        status=RecordStatus.ACTIVE,
    ),
    TaxRate(code="NON", name="Non-taxable", rate=Decimal(0), status=RecordStatus.ACTIVE),
)


# --- customers ------------------------------------------------------------------------


def contact_from_qbo(body: Mapping[str, Any]) -> AppContact:
    email = (body.get("PrimaryEmailAddr") or {}).get("Address")
    phone = (body.get("PrimaryPhone") or {}).get("FreeFormNumber")
    return AppContact(
        id=str(body["Id"]),
        name=str(body.get("DisplayName") or ""),
        email=email or None,
        phone=phone or None,
        # Only QuickBooks' Customer entity is read: suppliers are Vendors.
        is_customer=True,
        status=_active(body),
        updated_at=updated_at(body),
    )


def contact_to_qbo(draft: AppContactDraft, sync_token: str | None = None) -> dict[str, Any]:
    """A create, or (with an id and its SyncToken) a sparse update that leaves every
    field Loc8 does not own as it is."""
    body: dict[str, Any] = {"DisplayName": draft.name}
    if draft.id:
        body.update({"Id": draft.id, "SyncToken": sync_token or "0", "sparse": True})
    if draft.email is not None:
        body["PrimaryEmailAddr"] = {"Address": draft.email}
    if draft.phone:
        body["PrimaryPhone"] = {
            "FreeFormNumber": draft.phone[: QUICKBOOKS_PROFILE.phone_max_length]
        }
    if draft.contact_number:
        body["AcctNum"] = draft.contact_number
    return body


# --- items ----------------------------------------------------------------------------


def item_from_qbo(body: Mapping[str, Any]) -> AppItem | None:
    """None for an item no invoice line sells on its own (a category or a group)."""
    if not is_deleted(body) and body.get("Type") not in SALES_ITEM_TYPES:
        return None
    name = str(body.get("Name") or "")
    return AppItem(
        id=str(body["Id"]),
        code=str(body.get("Sku") or name),
        name=name,
        description=body.get("Description"),
        unit_price=_decimal(body.get("UnitPrice")),
        account_code=ref_value(body.get("IncomeAccountRef")),
        tax_type=ref_value(body.get("SalesTaxCodeRef")),
        updated_at=updated_at(body),
    )


def item_to_qbo(item: AppItem, sync_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Name": item.name[: QUICKBOOKS_PROFILE.item_name_max_length],
        "Sku": item.code,
    }
    if item.id:
        body.update({"Id": item.id, "SyncToken": sync_token or "0", "sparse": True})
    else:
        body["Type"] = "Service"
    if item.description is not None:
        body["Description"] = item.description
    if item.unit_price is not None:
        body["UnitPrice"] = float(item.unit_price)
    if item.account_code:
        body["IncomeAccountRef"] = ref(item.account_code)
    if item.tax_type:
        body["SalesTaxCodeRef"] = ref(item.tax_type)
    return body


# --- invoices -------------------------------------------------------------------------


def _loc8_link(note: Any) -> str | None:
    text = str(note or "")
    return text[len(LOC8_LINK_PREFIX) :] if text.startswith(LOC8_LINK_PREFIX) else None


def _is_voided(body: Mapping[str, Any]) -> bool:
    # A voided invoice keeps its lines with every amount zeroed and "Voided" as its
    # private note; newer minor versions also say so in TxnStatus.
    if str(body.get("TxnStatus") or "").lower() == "voided":
        return True
    note = str(body.get("PrivateNote") or "")
    return note.startswith("Voided") and Decimal(str(body.get("TotalAmt") or 0)) == 0


def invoice_status(body: Mapping[str, Any]) -> AppInvoiceStatus:
    if is_deleted(body):
        return AppInvoiceStatus.DELETED
    if _is_voided(body):
        return AppInvoiceStatus.VOIDED
    total = _decimal(body.get("TotalAmt")) or Decimal(0)
    balance = _decimal(body.get("Balance"))
    if balance is not None and balance == 0 and total > 0:
        return AppInvoiceStatus.PAID
    return AppInvoiceStatus.APPROVED


def invoice_from_qbo(
    body: Mapping[str, Any], item_codes: Mapping[str, str] | None = None
) -> AppInvoice:
    """`item_codes`: item code by item Id, where known (else the ItemRef's name)."""
    codes = item_codes or {}
    total = _decimal(body.get("TotalAmt"))
    balance = _decimal(body.get("Balance"))
    lines: list[AppInvoiceLine] = []
    for line in body.get("Line") or []:
        if line.get("DetailType") != "SalesItemLineDetail":
            continue  # subtotal, discount and description-only lines
        detail = line.get("SalesItemLineDetail") or {}
        item_id = ref_value(detail.get("ItemRef"))
        lines.append(
            AppInvoiceLine(
                id=str(line["Id"]) if line.get("Id") is not None else None,
                description=str(line.get("Description") or ""),
                quantity=_decimal(detail.get("Qty")) or Decimal(0),
                unit_amount=_decimal(detail.get("UnitPrice")) or Decimal(0),
                account_code=ref_value(detail.get("ItemAccountRef")),
                tax_type=ref_value(detail.get("TaxCodeRef")),
                item_code=codes.get(item_id or "") or (detail.get("ItemRef") or {}).get("name"),
            )
        )
    when = _date(body.get("TxnDate")) or (updated_at(body) or datetime.now()).date()
    return AppInvoice(
        id=str(body["Id"]),
        number=str(body.get("DocNumber") or ""),
        contact_id=ref_value(body.get("CustomerRef")) or "",
        status=invoice_status(body),
        date=when,
        due_date=_date(body.get("DueDate")),
        reference=(body.get("CustomerMemo") or {}).get("value") or None,
        url=_loc8_link(body.get("PrivateNote")),
        lines=lines,
        total=total,
        amount_due=balance,
        amount_paid=(total - balance) if total is not None and balance is not None else None,
        updated_at=updated_at(body),
    )


def linked_payment_ids(body: Mapping[str, Any]) -> list[str]:
    return [
        str(linked["TxnId"])
        for linked in body.get("LinkedTxn") or []
        if linked.get("TxnType") == "Payment" and linked.get("TxnId")
    ]


def line_amount(line: AppInvoiceLine) -> Decimal:
    """QuickBooks checks Amount = UnitPrice x Qty, to the cent."""
    return (line.quantity * line.unit_amount).quantize(CENT, rounding=ROUND_HALF_UP)


ItemFor = Callable[[AppInvoiceLine], str | None]


def invoice_to_qbo(
    invoice: AppInvoice,
    *,
    item_for: ItemFor,
    automated_sales_tax: bool,
    sync_token: str | None = None,
) -> dict[str, Any]:
    """`item_for`: the item Id a line is sold as (its own item, else one carrying its
    account). A US company's lines say only taxable or not; other companies' lines
    carry their tax code, amounts tax exclusive."""
    body: dict[str, Any] = {
        "DocNumber": invoice.number,
        "CustomerRef": ref(invoice.contact_id),
        "TxnDate": invoice.date.isoformat(),
        "Line": [_line_to_qbo(line, item_for) for line in invoice.lines],
    }
    if not automated_sales_tax:
        body["GlobalTaxCalculation"] = "TaxExcluded"
    if invoice.id:
        body.update({"Id": invoice.id, "SyncToken": sync_token or "0", "sparse": True})
    if invoice.due_date:
        body["DueDate"] = invoice.due_date.isoformat()
    if invoice.reference:
        body["CustomerMemo"] = {"value": invoice.reference[:CUSTOMER_MEMO_MAX]}
    if invoice.url:
        body["PrivateNote"] = f"{LOC8_LINK_PREFIX}{invoice.url}"
    return body


def _line_to_qbo(line: AppInvoiceLine, item_for: ItemFor) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "Qty": float(line.quantity),
        "UnitPrice": float(line.unit_amount),
    }
    item_id = item_for(line)
    if item_id:
        detail["ItemRef"] = ref(item_id)
    if line.tax_type:
        detail["TaxCodeRef"] = ref(line.tax_type)
    body: dict[str, Any] = {
        "DetailType": "SalesItemLineDetail",
        "Amount": float(line_amount(line)),
        "Description": line.description,
        "SalesItemLineDetail": detail,
    }
    if line.id:
        body["Id"] = line.id
    return body


# --- payments -------------------------------------------------------------------------


def payments_from_qbo(body: Mapping[str, Any]) -> list[AppPayment]:
    """One record per invoice the payment is applied to; a payment applied to one
    invoice keeps QuickBooks' Id, one split over several is told apart per invoice."""
    status = _active(body)
    when = _date(body.get("TxnDate")) or (updated_at(body) or datetime.now()).date()
    applied: list[tuple[str, Decimal]] = []
    for line in body.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice" and linked.get("TxnId"):
                applied.append((str(linked["TxnId"]), _decimal(line.get("Amount")) or Decimal(0)))
    if not applied:
        # Deleted (Change Data Capture lists only the Id) or unapplied: no invoice.
        applied = [("", _decimal(body.get("TotalAmt")) or Decimal(0))]
    split = len(applied) > 1
    return [
        AppPayment(
            id=f"{body['Id']}-{invoice_id}" if split else str(body["Id"]),
            invoice_id=invoice_id,
            amount=amount,
            date=when,
            reference=body.get("PaymentRefNum") or None,
            status=status,
            updated_at=updated_at(body),
        )
        for invoice_id, amount in applied
    ]


def payment_to_qbo(payment: AppPaymentDraft, customer_id: str) -> dict[str, Any]:
    amount = float(payment.amount)
    body: dict[str, Any] = {
        "CustomerRef": ref(customer_id),
        "TotalAmt": amount,
        "TxnDate": payment.date.isoformat(),
        "DepositToAccountRef": ref(payment.account_code),
        "Line": [
            {"Amount": amount, "LinkedTxn": [{"TxnId": payment.invoice_id, "TxnType": "Invoice"}]}
        ],
    }
    if payment.reference:
        body["PaymentRefNum"] = payment.reference[:PAYMENT_REFERENCE_MAX]
    return body
