"""Items: GET, PUT (create), POST (create-or-update), POST/DELETE /Items/{ItemID}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localdev.xero.accounting import inputs, ledger, messages
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.money import quantize
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

COLLECTION = "Items"
ID_FIELD = "ItemID"

_DETAILS_SCHEMA = Schema("Purchase", dict.fromkeys(("UnitPrice", "AccountCode", "TaxType")))
SCHEMA = Schema(
    "Item",
    {
        **dict.fromkeys(
            [
                "ItemID",
                "Code",
                "Name",
                "Description",
                "PurchaseDescription",
                "IsSold",
                "IsPurchased",
                "IsTrackedAsInventory",
                "UpdatedDateUTC",
                "QuantityOnHand",
                "TotalCostPool",
            ]
        ),
        "SalesDetails": _DETAILS_SCHEMA,
        "PurchaseDetails": _DETAILS_SCHEMA,
    },
    required=frozenset(("Code",)),
)

_DETAILS: inputs.Spec = {
    "UnitPrice": inputs.number,
    "AccountCode": inputs.text,
    "TaxType": inputs.text,
    "COGSAccountCode": inputs.text,
}
INPUT: inputs.Spec = {
    "ItemID": inputs.guid,
    "Code": inputs.text,
    "Name": inputs.text,
    "Description": inputs.text,
    "PurchaseDescription": inputs.text,
    "IsSold": inputs.boolean,
    "IsPurchased": inputs.boolean,
    "SalesDetails": inputs.obj(_DETAILS),
    "PurchaseDetails": inputs.obj(_DETAILS),
}
_ORDER = [
    "ItemID",
    "Code",
    "Description",
    "PurchaseDescription",
    "UpdatedDateUTC",
    "PurchaseDetails",
    "SalesDetails",
    "Name",
    "IsTrackedAsInventory",
    "IsSold",
    "IsPurchased",
]


def store(books: Books, item: Record, previous: Record | None) -> Record:
    if previous is not None:
        books.item_codes.pop(fold(previous["Code"]), None)
    books.item_codes[fold(item["Code"])] = item["ItemID"]
    books.items[item["ItemID"]] = item
    return item


def delete(books: Books, item_id: str) -> None:
    item = books.items.pop(item_id, None)
    if item is None:
        raise not_found()
    books.item_codes.pop(fold(item["Code"]), None)


def find(books: Books, key: str) -> Record | None:
    """/Items/{ItemID} also accepts the item's Code, as Xero does."""
    return books.items.get(key.lower()) or books.item_by_code(key)


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    errors: list[str] = []
    existing: Record | None = None
    if ctx.mode == "update":
        existing = find(books, ctx.target_id or "")
        if existing is None:
            raise not_found()
    elif "ItemID" in data:
        existing = books.items.get(data["ItemID"])
        if existing is None:
            errors.append(messages.ITEM_NOT_FOUND)
    elif ctx.mode == "upsert" and data.get("Code"):
        existing = books.item_by_code(data["Code"])

    base: Record = (
        dict(existing)
        if existing is not None
        else {
            "ItemID": EMPTY_ID,
            "Code": "",
            "IsSold": True,
            "IsPurchased": True,
            "IsTrackedAsInventory": False,
            "SalesDetails": {},
            "PurchaseDetails": {},
        }
    )
    candidate = {**base, **{k: v for k, v in data.items() if k != "ItemID"}}
    candidate["UpdatedDateUTC"] = ctx.now
    for section, flag, side in (
        ("SalesDetails", "IsSold", ledger.SALES),
        ("PurchaseDetails", "IsPurchased", ledger.PURCHASES),
    ):
        details = dict(candidate.get(section) or {})
        if not candidate[flag]:
            details = {}  # Xero clears the details of a side the item is not used on
        if "UnitPrice" in details:
            details["UnitPrice"] = quantize(details["UnitPrice"], 4 if ctx.unitdp == 4 else 2)
        candidate[section] = details
        errors += _details_errors(books, details, side)
    errors += _check(books, candidate, existing)
    if errors:
        raise Invalid(with_errors(to_json(candidate), errors, "HasValidationErrors"), errors)
    if existing is None:
        candidate["ItemID"] = new_id()
    return store(books, candidate, existing)


def _details_errors(books: Books, details: Mapping[str, Any], side: str) -> list[str]:
    account, errors = ledger.document_account(books, details.get("AccountCode"), None)
    if details.get("TaxType"):
        errors += ledger.tax_errors(books, details["TaxType"], account, side)
    return errors


def _check(books: Books, candidate: Record, existing: Record | None) -> list[str]:
    code = (candidate.get("Code") or "").strip()
    if not code:
        return [messages.ITEM_CODE_REQUIRED]
    holder = books.item_codes.get(fold(code))
    if holder is not None and (existing is None or holder != existing["ItemID"]):
        return [messages.ITEM_CODE_TAKEN.format(code=code)]
    return []


def to_json(item: Mapping[str, Any], *, unitdp: int = 2) -> dict[str, Any]:
    ordered = {name: item.get(name) for name in _ORDER}
    ordered.update({k: v for k, v in item.items() if k not in ordered})
    for section in ("SalesDetails", "PurchaseDetails"):
        details = ordered.get(section)
        if details and "UnitPrice" in details:
            ordered[section] = {**details, "UnitPrice": quantize(details["UnitPrice"], unitdp)}
    return plain(ordered)
