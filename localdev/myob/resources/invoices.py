"""Sale/Invoice/Item and Sale/Invoice/Service: numbering, lines, GST and totals, and
what a payment on an invoice locks."""

from __future__ import annotations

from decimal import Decimal

from localdev.myob import errors, links
from localdev.myob.books import Books, new_row_version
from localdev.myob.fields import Body, money
from localdev.myob.resources.base import (
    ACCOUNT,
    CRUD,
    CUSTOMER,
    INVOICES,
    ITEM,
    PAYMENT,
    TAX_CODE,
    Record,
    Resource,
    linked,
    unique,
)

_INVOICE_LINE_KEYS = {
    "Item": frozenset(
        {
            "RowID",
            "Type",
            "Description",
            "ShipQuantity",
            "UnitPrice",
            "DiscountPercent",
            "Total",
            "Item",
            "Job",
            "TaxCode",
            "RowVersion",
            "UnitCount",
            "Location",
        }
    ),
    "Service": frozenset(
        {
            "RowID",
            "Type",
            "Description",
            "Account",
            "Total",
            "Job",
            "TaxCode",
            "RowVersion",
            "UnitCount",
        }
    ),
}


class InvoiceResource(Resource):
    def __init__(self, path: str, template: Record, layout: str, computed: frozenset[str]) -> None:
        super().__init__(path, template, CRUD, computed)
        self.layout = layout

    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        body.refuse_unknown(self.fields)
        record = self.blank()
        record["InvoiceType"] = self.layout
        own = existing["UID"] if existing else None
        number = body.string("Number", 13)
        if not number:
            number = existing["Number"] if existing else self._next_number(books)
        if not all(unique(books, resource, "Number", number, own) for resource in INVOICES):
            body.add(
                errors.invalid(
                    "Number", f"Invoice number '{number}' is already in use", "InvoiceNumberInUse"
                )
            )
        record["Number"] = number
        record["Date"] = body.date("Date", required=True)
        customer = linked(books, body, "Customer", CUSTOMER, required=True)
        record["Customer"] = links.customer(customer) if customer else None
        if customer is not None and not customer["IsActive"]:
            body.add(
                errors.invalid(
                    "Customer", "An inactive card cannot be used on a new sale", "CardInactive"
                )
            )
        record["CustomerPurchaseOrderNumber"] = body.string("CustomerPurchaseOrderNumber", 20)
        record["PromisedDate"] = body.date("PromisedDate")
        record["ShipToAddress"] = body.string("ShipToAddress", 255)
        record["Comment"] = body.string("Comment", 255)
        record["ShippingMethod"] = body.string("ShippingMethod", 255)
        record["JournalMemo"] = body.string("JournalMemo", 255)
        record["InvoiceDeliveryStatus"] = body.choice(
            "InvoiceDeliveryStatus", ("Nothing", "Print", "Email", "PrintAndEmail"), "Nothing"
        )
        terms = body.data.get("Terms")
        record["Terms"] = terms if isinstance(terms, dict) else None
        inclusive = record["IsTaxInclusive"] = body.boolean("IsTaxInclusive", False)
        record["Lines"] = self._lines(body, books, existing)
        freight = body.decimal("Freight", default="0") or Decimal(0)
        freight_tax = linked(books, body, "FreightTaxCode", TAX_CODE, required=freight != 0)
        record["Freight"] = float(freight)
        record["FreightTaxCode"] = links.tax_code(freight_tax) if freight_tax else None
        self._totals(record, books, inclusive, freight, freight_tax)
        paid = (
            Decimal(str(existing["TotalAmount"])) - Decimal(str(existing["BalanceDueAmount"]))
            if existing
            else Decimal(0)
        )
        if existing is not None and paid > 0:
            if record["Customer"] and record["Customer"]["UID"] != existing["Customer"]["UID"]:
                body.add(
                    errors.invalid(
                        "Customer",
                        "The customer of a paid sale cannot be changed",
                        "SaleHasPayments",
                    )
                )
            if Decimal(str(record["TotalAmount"])) < paid:
                body.add(
                    errors.invalid(
                        "TotalAmount",
                        "The amount of a sale cannot be less than what was paid",
                        "SaleHasPayments",
                    )
                )
        balance = Decimal(str(record["TotalAmount"])) - paid
        record["BalanceDueAmount"] = money(balance)
        record["Status"] = "Closed" if balance == 0 and paid > 0 else "Open"
        record["LastPaymentDate"] = existing["LastPaymentDate"] if existing else None
        return record

    def _next_number(self, books: Books) -> str:
        while True:
            books.invoice_sequence += 1
            candidate = f"{books.invoice_sequence:08d}"
            if all(unique(books, resource, "Number", candidate, None) for resource in INVOICES):
                return candidate

    def _lines(self, body: Body, books: Books, existing: Record | None) -> list[Record]:
        raw = body.data.get("Lines")
        if not isinstance(raw, list) or not raw:
            body.add(errors.required("Lines"))
            return []
        lines: list[Record] = []
        for index, entry in enumerate(raw):
            line = body.nested(entry, f"Lines[{index}].")
            if line is None:
                continue
            line.refuse_unknown(_INVOICE_LINE_KEYS[self.layout])
            # Stricter: only transaction lines (no header or subtotal lines).
            if line.choice("Type", ("Transaction",), "Transaction") is None:
                continue
            tax = linked(books, line, "TaxCode", TAX_CODE, required=True)
            stored: Record = {
                "RowID": index + 1,
                "Type": "Transaction",
                "Description": line.string("Description", 255, required=self.layout == "Service"),
            }
            if self.layout == "Item":
                self._item_line(line, books, stored)
            else:
                account = linked(books, line, "Account", ACCOUNT, required=True)
                if account is not None and account["IsHeader"]:
                    body.add(
                        errors.invalid(
                            line.name("Account"),
                            "A header account cannot be used on a line",
                            "InvalidAccount",
                        )
                    )
                stored["Account"] = links.account(account) if account else None
                total = line.decimal("Total", required=True) or Decimal(0)
                stored["Total"] = money(total)
            stored["Job"] = None
            stored["TaxCode"] = links.tax_code(tax) if tax else None
            stored["_rate"] = str(tax["Rate"]) if tax else "0"
            stored["RowVersion"] = new_row_version()  # each line has its own
            lines.append(stored)
        return lines

    def _item_line(self, line: Body, books: Books, stored: Record) -> None:
        item = linked(books, line, "Item", ITEM, required=True)
        if item is not None and not item["IsSold"]:
            line.add(
                errors.invalid(
                    line.name("Item"),
                    f"Item '{item['Number']}' is not an item you sell",
                    "ItemNotSold",
                )
            )
        if item is not None and not item["IsActive"]:
            line.add(
                errors.invalid(
                    line.name("Item"), f"Item '{item['Number']}' is inactive", "ItemInactive"
                )
            )
        quantity = line.decimal("ShipQuantity", required=True) or Decimal(0)
        price = line.decimal("UnitPrice", required=True) or Decimal(0)
        discount = line.decimal("DiscountPercent", default="0") or Decimal(0)
        if not 0 <= discount <= 100:
            line.add(
                errors.invalid(
                    line.name("DiscountPercent"), "DiscountPercent must be from 0 to 100"
                )
            )
        total = quantity * price * (Decimal(100) - discount) / Decimal(100)
        sent = line.decimal("Total")
        if sent is not None and abs(sent - total) >= Decimal("0.01"):
            line.add(
                errors.invalid(
                    line.name("Total"),
                    f"Total {sent} is not ShipQuantity x UnitPrice less discount ({money(total)})",
                    "LineTotalMismatch",
                )
            )
        stored.update(
            {
                "ShipQuantity": float(quantity),
                "UnitPrice": float(price),
                "DiscountPercent": float(discount),
                "Total": money(total),
                "Item": links.item(item) if item else None,
            }
        )
        if stored["Description"] is None and item is not None:
            stored["Description"] = item["Description"] or item["Name"]

    def _totals(
        self,
        record: Record,
        books: Books,
        inclusive: bool,
        freight: Decimal,
        freight_tax: Record | None,
    ) -> None:
        subtotal = Decimal(0)
        tax = Decimal(0)
        for line in record["Lines"]:
            rate = Decimal(line.pop("_rate"))
            amount = Decimal(str(line["Total"]))
            subtotal += amount
            tax += amount * rate / (100 + rate) if inclusive else amount * rate / 100
        if freight and freight_tax is not None:
            rate = Decimal(str(freight_tax["Rate"]))
            tax += freight * rate / (100 + rate) if inclusive else freight * rate / 100
        record["Subtotal"] = money(subtotal)
        record["TotalTax"] = money(tax)
        total = subtotal + freight + (Decimal(0) if inclusive else Decimal(str(record["TotalTax"])))
        record["TotalAmount"] = money(total)

    def before_delete(self, books: Books, record: Record) -> None:
        if any(
            any(applied["UID"] == record["UID"] for applied in payment["Invoices"])
            for payment in books.records(PAYMENT).values()
        ):
            raise errors.invalid("UID", "A sale with payments cannot be deleted", "SaleHasPayments")
