"""Tax rates: GET /TaxRates[/{TaxType}], PUT /TaxRates (create), POST /TaxRates (update)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from localdev.xero.accounting import inputs, messages
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.money import HUNDRED, ZERO, quantize
from localdev.xero.accounting.records import Invalid, Record, WriteContext, plain, with_errors
from localdev.xero.accounting.where import Schema

COLLECTION = "TaxRates"
ID_FIELD = "TaxType"

# Which account classes a rate may be used with, by its report type (AU rules).
_SALES_REPORT_TYPES = {"OUTPUT", "EXEMPTOUTPUT", "EXEMPTEXPORT"}
_PURCHASE_REPORT_TYPES = {"INPUT", "EXEMPTEXPENSES", "CAPEXINPUT", "EXEMPTCAPITAL"}
_IMPORT_REPORT_TYPES = {"GSTONIMPORTS", "GSTONCAPIMPORTS"}
APPLIES_TO_FIELDS = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}

SCHEMA = Schema(
    "TaxRate",
    dict.fromkeys(
        [
            "Name",
            "TaxType",
            "Status",
            "ReportTaxType",
            "CanApplyToAssets",
            "CanApplyToEquity",
            "CanApplyToExpenses",
            "CanApplyToLiabilities",
            "CanApplyToRevenue",
            "DisplayTaxRate",
            "EffectiveRate",
            "TaxComponents",
        ]
    ),
    required=frozenset(("Name", "TaxType", "Status")),
)

_COMPONENT: inputs.Spec = {
    "Name": inputs.text,
    "Rate": inputs.number,
    "IsCompound": inputs.boolean,
    "IsNonRecoverable": inputs.boolean,
}
INPUT: inputs.Spec = {
    "Name": inputs.text,
    "TaxType": inputs.text,
    "Status": inputs.enum("ACTIVE", "DELETED", "ARCHIVED"),
    "ReportTaxType": inputs.text,
    "TaxComponents": inputs.many(inputs.obj(_COMPONENT)),
}


def applicability(report_tax_type: str) -> dict[str, bool]:
    if report_tax_type in _SALES_REPORT_TYPES:
        flags = {"ASSET": True, "EQUITY": True, "EXPENSE": False, "LIABILITY": True}
        flags["REVENUE"] = True
    elif report_tax_type in _PURCHASE_REPORT_TYPES:
        flags = {"ASSET": True, "EQUITY": True, "EXPENSE": True, "LIABILITY": True}
        flags["REVENUE"] = False
    elif report_tax_type in _IMPORT_REPORT_TYPES:
        flags = dict.fromkeys(APPLIES_TO_FIELDS, False)
        flags["LIABILITY"] = True
    else:  # BASEXCLUDED, INPUTTAXED, NONE: usable anywhere
        flags = dict.fromkeys(APPLIES_TO_FIELDS, True)
    return {APPLIES_TO_FIELDS[account_class]: value for account_class, value in flags.items()}


def rates_of(components: list[Mapping[str, Any]]) -> tuple[Decimal, Decimal]:
    """(DisplayTaxRate, EffectiveRate): compound components apply on top of the others."""
    simple = sum((c["Rate"] for c in components if not c.get("IsCompound")), ZERO)
    compound = [c["Rate"] for c in components if c.get("IsCompound")]
    effective = simple + sum((rate * (HUNDRED + simple) / HUNDRED for rate in compound), ZERO)
    return quantize(simple + sum(compound, ZERO), 4), quantize(effective, 4)


def make(
    tax_type: str,
    name: str,
    rate: str,
    report_tax_type: str,
    *,
    status: str = "ACTIVE",
    component: str = "GST",
) -> Record:
    components = [
        {"Name": component, "Rate": Decimal(rate), "IsCompound": False, "IsNonRecoverable": False}
    ]
    display, effective = rates_of(components)
    return {
        "Name": name,
        "TaxType": tax_type,
        "ReportTaxType": report_tax_type,
        **applicability(report_tax_type),
        "DisplayTaxRate": display,
        "EffectiveRate": effective,
        "Status": status,
        "TaxComponents": components,
    }


def add(books: Books, rate: Record) -> Record:
    books.tax_rates[rate["TaxType"]] = rate
    return rate


def to_json(rate: Mapping[str, Any]) -> dict[str, Any]:
    return plain(rate)


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    existing = _find(books, data) if ctx.mode != "create" else None
    errors: list[str] = []
    if existing is None and ctx.mode != "create":
        errors.append(messages.TAX_RATE_NOT_FOUND.format(tax_type=data.get("TaxType", "")))
    if existing is None:
        if not data.get("Name"):
            errors.append(messages.TAX_RATE_NAME_REQUIRED)
        if not data.get("TaxComponents"):
            errors.append(messages.TAX_RATE_COMPONENTS_REQUIRED)
        if not data.get("ReportTaxType"):
            errors.append(messages.TAX_RATE_REPORT_TYPE_REQUIRED)
        base: Record = {"Name": "", "TaxType": "", "Status": "ACTIVE", "TaxComponents": []}
    else:
        base = dict(existing)
    candidate = {**base, **{k: v for k, v in data.items() if k != "TaxType"}}
    components = [
        {"IsCompound": False, "IsNonRecoverable": False, **component}
        for component in candidate.get("TaxComponents", [])
        if "Rate" in component
    ]
    candidate["TaxComponents"] = components
    candidate["DisplayTaxRate"], candidate["EffectiveRate"] = rates_of(components)
    candidate.update(applicability(candidate.get("ReportTaxType") or ""))
    name = fold(candidate.get("Name") or "")
    if name and any(
        fold(other["Name"]) == name
        and other["TaxType"] != candidate.get("TaxType")
        and other["Status"] != "DELETED"
        for other in books.tax_rates.values()
    ):
        errors.append(messages.TAX_RATE_NAME_TAKEN.format(name=candidate["Name"]))
    if errors:
        raise Invalid(with_errors(to_json(candidate), errors, "HasValidationErrors"), errors)
    if existing is None:
        candidate["TaxType"] = _next_custom_tax_type(books)
    return add(books, candidate)


def _find(books: Books, data: Mapping[str, Any]) -> Record | None:
    if data.get("TaxType"):
        return books.tax_rates.get(data["TaxType"])
    name = fold(data.get("Name") or "")
    return next((r for r in books.tax_rates.values() if fold(r["Name"]) == name), None)


def _next_custom_tax_type(books: Books) -> str:
    # User-defined rates get TAX001, TAX002, ... as in Xero.
    while True:
        tax_type = f"TAX{books.next_custom_tax_type:03d}"
        books.next_custom_tax_type += 1
        if tax_type not in books.tax_rates:
            return tax_type
