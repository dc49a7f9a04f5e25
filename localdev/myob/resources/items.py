"""Inventory/Item: item numbers, what is sold or bought, and the accounts and tax code
a sale of it posts to."""

from __future__ import annotations

import copy
from decimal import Decimal

from localdev.myob import errors, links
from localdev.myob.books import Books
from localdev.myob.fields import Body
from localdev.myob.resources.base import (
    ACCOUNT,
    EXPENSE_CLASSES,
    INCOME_CLASSES,
    ITEM,
    ITEM_INVOICE,
    TAX_CODE,
    Record,
    Resource,
    linked,
    unique,
)

_ITEM_SELLING_KEYS = frozenset(
    {
        "BaseSellingPrice",
        "SellingUnitOfMeasure",
        "ItemsPerSellingUnit",
        "TaxCode",
        "IsTaxInclusive",
        "CalculateSalesTaxOn",
        "PriceMatrixURI",
    }
)


class ItemResource(Resource):
    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        body.refuse_unknown(self.fields)
        record = self.blank()
        number = body.string("Number", 30, required=True)
        own = existing["UID"] if existing else None
        if number and not unique(books, ITEM, "Number", number, own):
            body.add(
                errors.invalid(
                    "Number", f"Item number '{number}' is already in use", "ItemNumberInUse"
                )
            )
        record["Number"] = number
        record["Name"] = body.string("Name", 30, required=True)
        record["IsActive"] = body.boolean("IsActive", True)
        record["Description"] = body.string("Description", 255)
        record["UseDescription"] = body.boolean("UseDescription", False)
        sold = record["IsSold"] = body.boolean("IsSold", False)
        bought = record["IsBought"] = body.boolean("IsBought", False)
        stocked = record["IsInventoried"] = body.boolean("IsInventoried", False)
        record["IncomeAccount"] = self._account(body, books, "IncomeAccount", sold, INCOME_CLASSES)
        record["ExpenseAccount"] = self._account(
            body, books, "ExpenseAccount", bought and not stocked, EXPENSE_CLASSES
        )
        record["CostOfSalesAccount"] = self._account(
            body, books, "CostOfSalesAccount", stocked, EXPENSE_CLASSES
        )
        record["AssetAccount"] = self._account(body, books, "AssetAccount", stocked, ("Asset",))
        buying = body.data.get("BuyingDetails")
        record["BuyingDetails"] = buying if isinstance(buying, dict) else None
        record["SellingDetails"] = self._selling(body, books, sold)
        record["BaseSellingPrice"] = record["SellingDetails"]["BaseSellingPrice"]
        if existing is not None:
            for kept in (
                "QuantityOnHand",
                "QuantityCommitted",
                "QuantityOnOrder",
                "QuantityAvailable",
                "AverageCost",
                "CurrentValue",
            ):
                record[kept] = existing[kept]
        return record

    def _account(
        self, body: Body, books: Books, name: str, required: bool, classes: tuple[str, ...]
    ) -> Record | None:
        account = linked(books, body, name, ACCOUNT, required=required)
        if account is None:
            return None
        if account["IsHeader"] or account["Classification"] not in classes:
            body.add(
                errors.invalid(
                    name,
                    f"{name} must be a detail account classified as {' or '.join(classes)}",
                    "InvalidAccount",
                )
            )
        return links.account(account)

    def _selling(self, body: Body, books: Books, sold: bool) -> Record:
        result = copy.deepcopy(self.template["SellingDetails"])
        raw = body.data.get("SellingDetails")
        if raw is None:
            if sold:
                body.add(errors.required("SellingDetails.TaxCode"))
            return result
        selling = body.nested(raw, "SellingDetails.")
        if selling is None:
            return result
        selling.refuse_unknown(_ITEM_SELLING_KEYS)
        tax = linked(books, selling, "TaxCode", TAX_CODE, required=sold)
        price = selling.decimal("BaseSellingPrice", default="0") or Decimal(0)
        if price < 0:
            body.add(
                errors.invalid(
                    "SellingDetails.BaseSellingPrice", "A selling price cannot be negative"
                )
            )
        result.update(
            {
                "BaseSellingPrice": float(price),
                "SellingUnitOfMeasure": selling.string("SellingUnitOfMeasure", 5),
                "ItemsPerSellingUnit": float(
                    selling.decimal("ItemsPerSellingUnit", default="1") or 1
                ),
                "TaxCode": links.tax_code(tax) if tax else None,
                "IsTaxInclusive": selling.boolean("IsTaxInclusive", False),
                "CalculateSalesTaxOn": selling.choice(
                    "CalculateSalesTaxOn",
                    (
                        "ActualSellingPrice",
                        "FullPrice",
                        "LevelA",
                        "LevelB",
                        "LevelC",
                        "LevelD",
                        "LevelE",
                        "LevelF",
                    ),
                    "ActualSellingPrice",
                ),
            }
        )
        return result

    def before_delete(self, books: Books, record: Record) -> None:
        for invoice in books.records(ITEM_INVOICE).values():
            if any(
                (line.get("Item") or {}).get("UID") == record["UID"] for line in invoice["Lines"]
            ):
                raise errors.invalid(
                    "UID", "An item used on a transaction cannot be deleted", "ItemInUse"
                )
