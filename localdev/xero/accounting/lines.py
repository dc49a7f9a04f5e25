"""Invoice line items: Xero's amount maths and the per-line account/tax rules.

LineAmount = Quantity x UnitAmount less discount, rounded to 2 dp; Xero fills in
whichever of Quantity/UnitAmount/LineAmount is missing and rejects a LineAmount that
disagrees with the other two. Tax is worked out per line and rounded to 2 dp:
Exclusive adds it on top, Inclusive takes it out of the LineAmount, NoTax has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from localdev.xero.accounting import inputs, ledger, messages
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.money import HUNDRED, ZERO, quantize, round2
from localdev.xero.accounting.records import Record, new_id, plain

_TRACKING: inputs.Spec = {
    "TrackingCategoryID": inputs.guid,
    "TrackingOptionID": inputs.guid,
    "Name": inputs.text,
    "Option": inputs.text,
}
INPUT: inputs.Spec = {
    "LineItemID": inputs.guid,
    "Description": inputs.text,
    "Quantity": inputs.number,
    "UnitAmount": inputs.number,
    "ItemCode": inputs.text,
    "AccountCode": inputs.text,
    "AccountID": inputs.guid,
    "TaxType": inputs.text,
    "TaxAmount": inputs.number,
    "LineAmount": inputs.number,
    "DiscountRate": inputs.number,
    "DiscountAmount": inputs.number,
    "Tracking": inputs.many(inputs.obj(_TRACKING)),
}
# What a previously stored line contributes when an update re-sends it by LineItemID;
# LineAmount and TaxAmount are worked out again unless sent.
_KEPT_ON_UPDATE = (
    "Description",
    "Quantity",
    "UnitAmount",
    "ItemCode",
    "AccountCode",
    "AccountID",
    "TaxType",
    "DiscountRate",
    "DiscountAmount",
    "Tracking",
)
_ORDER = [
    "Description",
    "UnitAmount",
    "TaxType",
    "TaxAmount",
    "LineAmount",
    "AccountCode",
    "AccountID",
    "Item",
    "Tracking",
    "Quantity",
    "LineItemID",
    "DiscountRate",
    "DiscountAmount",
]


@dataclass(frozen=True)
class DocumentTerms:
    """What a line needs to know about its invoice."""

    invoice_type: str  # ACCREC | ACCPAY
    status: str
    amount_types: str  # Exclusive | Inclusive | NoTax
    unitdp: int

    @property
    def side(self) -> str:
        return ledger.SALES if self.invoice_type == "ACCREC" else ledger.PURCHASES


@dataclass(frozen=True)
class Line:
    record: Record
    subtotal: Decimal
    tax: Decimal
    errors: list[str]


def build(
    books: Books, given: Mapping[str, Any], previous: Record | None, terms: DocumentTerms
) -> Line:
    merged: dict[str, Any] = {}
    if previous is not None:
        merged.update({k: previous[k] for k in _KEPT_ON_UPDATE if previous.get(k) is not None})
    merged.update(given)
    errors: list[str] = []

    item_ref = None
    if merged.get("ItemCode"):
        item = books.item_by_code(merged["ItemCode"])
        if item is None:
            errors.append(messages.ITEM_CODE_UNKNOWN.format(code=merged["ItemCode"]))
        else:
            item_ref = {"ItemID": item["ItemID"], "Code": item["Code"], "Name": item.get("Name")}
            _apply_item_defaults(merged, item, terms)

    description = (merged.get("Description") or "").strip()
    if not description:
        errors.append(messages.DESCRIPTION_REQUIRED)

    quantity, unit, line_amount, amount_errors = _amounts(merged, given, terms.unitdp)
    errors += amount_errors

    account, account_errors = ledger.document_account(
        books, merged.get("AccountCode"), merged.get("AccountID")
    )
    errors += account_errors
    # Drafts may leave the account out; anything further along must post somewhere.
    unposted = account is None and not account_errors and line_amount is not None
    if unposted and terms.status != "DRAFT":
        errors.append(messages.ACCOUNT_CODE_REQUIRED)

    tax_type = merged.get("TaxType")
    if tax_type:
        errors += ledger.tax_errors(books, tax_type, account, terms.side)
    elif account is not None and terms.amount_types != "NoTax":
        tax_type = account.get("TaxType")
    tax = _tax(books, tax_type, line_amount, given.get("TaxAmount"), terms.amount_types)

    record: Record = {
        "Description": description or None,
        "UnitAmount": unit,
        "TaxType": tax_type,
        "TaxAmount": tax,
        "LineAmount": ZERO if line_amount is None else line_amount,
        "AccountCode": account["Code"] if account is not None else merged.get("AccountCode"),
        "AccountID": account["AccountID"] if account is not None else merged.get("AccountID"),
        "ItemCode": merged.get("ItemCode"),
        "Item": item_ref,
        "Tracking": merged.get("Tracking", []),
        "Quantity": quantity,
        "LineItemID": previous["LineItemID"] if previous is not None else new_id(),
        "DiscountRate": merged.get("DiscountRate"),
        "DiscountAmount": merged.get("DiscountAmount"),
    }
    amount = record["LineAmount"]
    subtotal = amount - tax if terms.amount_types == "Inclusive" else amount
    return Line(record, subtotal, tax, errors)


def _apply_item_defaults(merged: dict[str, Any], item: Record, terms: DocumentTerms) -> None:
    sales = terms.invoice_type == "ACCREC"
    details = item.get("SalesDetails" if sales else "PurchaseDetails") or {}
    description = item.get("Description") if sales else item.get("PurchaseDescription")
    defaults = {
        "Description": description or item.get("Description"),
        "UnitAmount": details.get("UnitPrice"),
        "AccountCode": details.get("AccountCode"),
        "TaxType": details.get("TaxType"),
    }
    for name, value in defaults.items():
        if value is not None and merged.get(name) in (None, ""):
            if name == "AccountCode" and merged.get("AccountID"):
                continue
            merged[name] = value


def _amounts(
    merged: Mapping[str, Any], given: Mapping[str, Any], unitdp: int
) -> tuple[Decimal | None, Decimal | None, Decimal | None, list[str]]:
    """(Quantity, UnitAmount, LineAmount, errors). Without unitdp=4 Xero keeps unit
    amounts to 2 dp, so a client that sends more gets a LineAmount worked out from the
    rounded figure."""
    places = 4 if unitdp == 4 else 2
    quantity = merged.get("Quantity")
    unit = merged.get("UnitAmount")
    sent_total = given.get("LineAmount")
    quantity = None if quantity is None else quantize(quantity, 4)
    unit = None if unit is None else quantize(unit, places)
    rate = merged.get("DiscountRate")
    discount = merged.get("DiscountAmount")

    def expected(q: Decimal, u: Decimal) -> Decimal:
        gross = q * u
        if rate is not None:
            gross = gross * (HUNDRED - rate) / HUNDRED
        elif discount is not None:
            gross -= discount
        return round2(gross)

    if quantity is not None and unit is not None:
        line_amount = expected(quantity, unit)
        if sent_total is not None and round2(sent_total) != line_amount:
            message = messages.LINE_TOTAL_MISMATCH.format(
                given=round2(sent_total), expected=line_amount
            )
            return quantity, unit, line_amount, [message]
        return quantity, unit, line_amount, []
    if sent_total is not None:
        line_amount = round2(sent_total)
        if quantity is None and unit is None:
            return Decimal("1.0000"), quantize(line_amount, places), line_amount, []
        if unit is None:
            assert quantity is not None
            unit = quantize(line_amount / quantity, places) if quantity else line_amount
            return quantity, unit, line_amount, []
        quantity = quantize(line_amount / unit, 4) if unit else Decimal("1.0000")
        return quantity, unit, line_amount, []
    if quantity is not None or unit is not None:
        quantity = Decimal("1.0000") if quantity is None else quantity
        unit = quantize(ZERO, places) if unit is None else unit
        return quantity, unit, expected(quantity, unit), []
    return None, None, None, []  # a description-only line


def _tax(
    books: Books,
    tax_type: str | None,
    line_amount: Decimal | None,
    sent_tax: Decimal | None,
    amount_types: str,
) -> Decimal:
    if amount_types == "NoTax" or line_amount is None:
        return ZERO
    if sent_tax is not None:
        return round2(sent_tax)  # Xero lets a client override the worked-out tax
    rate_record = books.tax_rates.get(tax_type or "")
    if rate_record is None:
        return ZERO
    rate = rate_record["EffectiveRate"]
    if amount_types == "Inclusive":
        return round2(line_amount * rate / (HUNDRED + rate))
    return round2(line_amount * rate / HUNDRED)


def to_json(line: Mapping[str, Any], unitdp: int = 2) -> dict[str, Any]:
    ordered: dict[str, Any] = {name: line.get(name) for name in _ORDER}
    if line.get("ItemCode"):
        ordered = {"ItemCode": line["ItemCode"], **ordered}
    if ordered["UnitAmount"] is not None:
        ordered["UnitAmount"] = quantize(ordered["UnitAmount"], 4 if unitdp == 4 else 2)
    result = plain(ordered)
    result["ValidationErrors"] = []
    return result
