"""Item: Service and NonInventory items, sold to an income account.

Names are unique among items (6240). A sold item needs an active income account
(Classification Revenue); an AU company's item carries the GST code it is sold with.
Other item types (Inventory, Group, Category) are not emulated and are refused; a new
item must say its Type (the emulator does not guess one).
"""

from __future__ import annotations

from datetime import datetime

from localdev.quickbooks.accounting import faults, writes
from localdev.quickbooks.accounting.books import Books, Record, fold
from localdev.quickbooks.accounting.schema import ITEM_KINDS
from localdev.quickbooks.accounting.values import as_bool, decimal_of, drop_empty, plain_number

READ_ONLY = frozenset({"FullyQualifiedName", "Level", "QtyOnPurchaseOrder", "QtyOnSalesOrder"})
TYPES = ("Service", "NonInventory")
MAX_NAME = 100  # Intuit's Item reference: Name max 100 characters


def _name(body: Record) -> str:
    name = body.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise faults.required_missing("Name", "Item.Name")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise faults.invalid_value(
            f"String length is either shorter or longer than supported by specification. "
            f"Min:1 Max:{MAX_NAME} supported. Supplied length:{len(name)}",
            "Name",
        )
    if ":" in name or "\t" in name or "\n" in name:
        raise faults.business_rule("The name cannot contain a colon (:), tab or newline.", "Name")
    return name


def build(books: Books, body: Record, current: Record | None, now: datetime) -> Record:
    body = drop_empty(body)
    name = _name(body)
    owner = books.item_names.get(fold(name))
    if owner is not None and (current is None or owner != current["Id"]):
        raise faults.duplicate_name("product or service", "Name")
    if current is None and "Type" not in body:
        raise faults.required_missing("Type", "Item.Type")
    item_type = body.get("Type", None if current is None else current["Type"])
    if item_type not in TYPES:
        raise faults.business_rule(
            f"Item Type {item_type} is not supported by the emulator (Service, NonInventory).",
            "Type",
        )
    if current is not None and item_type != current["Type"]:
        raise faults.business_rule("You can't change the type of an item.", "Type")
    account_id = writes.require_ref(body, "IncomeAccountRef", "Item")
    account = writes.referenced(books, "Account", account_id, "IncomeAccountRef")
    if account["Classification"] != "Revenue":
        raise faults.business_rule(
            "An item's income account must be an Income or Other Income account.",
            "IncomeAccountRef",
        )
    body["IncomeAccountRef"] = {"value": account["Id"], "name": account["Name"]}
    tax = body.get("SalesTaxCodeRef")
    if isinstance(tax, dict):
        code = writes.referenced(books, "TaxCode", str(tax.get("value", "")), "SalesTaxCodeRef")
        body["SalesTaxCodeRef"] = {"value": code["Id"], "name": code["Name"]}
    record: Record = {
        "Name": name,
        "Active": True,
        "FullyQualifiedName": name,
        "Taxable": False,
        "UnitPrice": 0,
        "Type": item_type,
        "PurchaseCost": 0,
        "TrackQtyOnHand": False,
    }
    record.update(body)
    record["Name"] = name
    record["FullyQualifiedName"] = name
    record["UnitPrice"] = plain_number(decimal_of(record["UnitPrice"], "UnitPrice"))
    record["Active"] = as_bool(record["Active"], True)
    record["TrackQtyOnHand"] = as_bool(record["TrackQtyOnHand"], False)
    if record["TrackQtyOnHand"]:
        raise faults.business_rule("Only inventory items track quantity on hand.", "TrackQtyOnHand")
    return record


def index(books: Books, record: Record, now: datetime) -> None:
    books.item_names[fold(record["Name"])] = record["Id"]


def unindex(books: Books, record: Record, now: datetime) -> None:
    if books.item_names.get(fold(record["Name"])) == record["Id"]:
        del books.item_names[fold(record["Name"])]


ITEM = writes.EntityKind(
    name="Item",
    kinds=ITEM_KINDS,
    read_only=READ_ONLY,
    build=build,
    index=index,
    unindex=unindex,
)


def create(books: Books, body: Record, now: datetime) -> Record:
    return writes.create(ITEM, books, body, now)
