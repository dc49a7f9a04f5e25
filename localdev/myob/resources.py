"""The company-file resources the emulator serves and the rules MYOB holds them to.

Each resource builds the stored record from a request body (POST, or PUT as a full
replacement), refusing in MYOB's error body what MYOB refuses, and a bit more where the
documentation is silent (see RULES.md).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from localdev.myob import errors, links
from localdev.myob.books import Books
from localdev.myob.errors import MyobError
from localdev.myob.fields import Body, money

Record = dict[str, Any]
BOOKKEEPING = frozenset({"UID", "URI", "RowVersion", "LastModified"})
READ = frozenset({"GET"})
CRUD = frozenset({"GET", "POST", "PUT", "DELETE"})

CUSTOMER = "Contact/Customer"
ITEM = "Inventory/Item"
ACCOUNT = "GeneralLedger/Account"
TAX_CODE = "GeneralLedger/TaxCode"
ITEM_INVOICE = "Sale/Invoice/Item"
SERVICE_INVOICE = "Sale/Invoice/Service"
PAYMENT = "Sale/CustomerPayment"
INVOICES = (ITEM_INVOICE, SERVICE_INVOICE)

INCOME_CLASSES = ("Income", "OtherIncome")
EXPENSE_CLASSES = ("Expense", "CostOfSales", "OtherExpense")


@dataclass
class Resource:
    path: str
    template: Record
    methods: frozenset[str] = CRUD
    # Fields a client may send back as it read them; MYOB computes them, so ignored.
    computed: frozenset[str] = field(default_factory=frozenset)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.template)

    def blank(self) -> Record:
        return copy.deepcopy(self.template)

    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        raise NotImplementedError

    def before_delete(self, books: Books, record: Record) -> None:
        """Raise MyobError when MYOB would refuse to delete the record."""

    def after_write(self, books: Books, record: Record, previous: Record | None) -> None:
        """Effects on other records (a payment on its invoices)."""

    def after_delete(self, books: Books, record: Record) -> None:
        """Undo what after_write did."""


def _linked(
    books: Books, body: Body, field_name: str, resource: str, *, required: bool
) -> Record | None:
    uid = body.uid_of(field_name, required=required)
    if uid is None:
        return None
    found = books.find(resource, uid)
    if found is None:
        body.add(errors.not_found_reference(body.name(field_name), uid))
    return found


def _unique(
    books: Books, resource: str, field_name: str, value: str | None, own_uid: str | None
) -> bool:
    """Case-insensitively (stricter than a case-sensitive unique index)."""
    if not value:
        return True
    wanted = value.casefold()
    return not any(
        str(other.get(field_name) or "").casefold() == wanted and uid != own_uid
        for uid, other in books.records(resource).items()
    )


# -- Contact/Customer ----------------------------------------------------------------

_SELLING_KEYS = frozenset(
    {
        "SaleLayout",
        "PrintedForm",
        "InvoiceDelivery",
        "ItemPriceLevel",
        "IncomeAccount",
        "ReceiptMemo",
        "SalesPerson",
        "SaleComment",
        "ShippingMethod",
        "HourlyBillingRate",
        "ABN",
        "ABNBranch",
        "TaxCode",
        "FreightTaxCode",
        "UseCustomerTaxCode",
        "Terms",
        "Credit",
        "TaxIdNumber",
        "Memo",
    }
)
_ADDRESS_KEYS = frozenset(
    {
        "Location",
        "Street",
        "City",
        "State",
        "PostCode",
        "Country",
        "Phone1",
        "Phone2",
        "Phone3",
        "Fax",
        "Email",
        "Website",
        "ContactName",
        "Salutation",
    }
)
SALE_LAYOUTS = ("NoDefault", "Service", "Item", "Professional", "TimeBilling", "Miscellaneous")


class CustomerResource(Resource):
    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        body.refuse_unknown(self.fields)
        record = self.blank()
        individual = body.boolean("IsIndividual", required=True)
        record["IsIndividual"] = individual
        record["CompanyName"] = body.string("CompanyName", 50, required=not individual)
        record["LastName"] = body.string("LastName", 30, required=individual)
        record["FirstName"] = body.string("FirstName", 20)
        display_id = body.string("DisplayID", 15) or "*None"
        own = existing["UID"] if existing else None
        if display_id != "*None" and not _unique(books, CUSTOMER, "DisplayID", display_id, own):
            body.add(
                errors.invalid(
                    "DisplayID", f"Card ID '{display_id}' is already in use", "CardIdInUse"
                )
            )
        record["DisplayID"] = display_id
        record["IsActive"] = body.boolean("IsActive", True)
        record["Notes"] = body.string("Notes", 255)
        record["Addresses"] = self._addresses(body)
        record["SellingDetails"] = self._selling(body, books)
        if existing is not None:
            record["CurrentBalance"] = existing["CurrentBalance"]
        return record

    def _addresses(self, body: Body) -> list[Record]:
        raw = body.data.get("Addresses")
        if raw is None:
            return []
        if not isinstance(raw, list) or len(raw) > 5:
            body.add(errors.invalid("Addresses", "A contact has at most five addresses"))
            return []
        addresses: list[Record] = []
        locations: set[int] = set()
        for index, entry in enumerate(raw):
            address = body.nested(entry, f"Addresses[{index}].")
            if address is None:
                continue
            address.refuse_unknown(_ADDRESS_KEYS)
            location = address.data.get("Location", index + 1)
            if (
                not isinstance(location, int)
                or isinstance(location, bool)
                or not 1 <= location <= 5
                or location in locations
            ):
                body.add(
                    errors.invalid(
                        address.name("Location"), "Location must be a distinct number from 1 to 5"
                    )
                )
                continue
            locations.add(location)
            addresses.append(
                {
                    "Location": location,
                    "Street": address.string("Street", 255),
                    "City": address.string("City", 255),
                    "State": address.string("State", 255),
                    "PostCode": address.string("PostCode", 10),
                    "Country": address.string("Country", 255),
                    "Phone1": address.string("Phone1", 21),
                    "Phone2": address.string("Phone2", 21),
                    "Phone3": address.string("Phone3", 21),
                    "Fax": address.string("Fax", 21),
                    "Email": address.email("Email"),
                    "Website": address.string("Website", 255),
                    "ContactName": address.string("ContactName", 25),
                    "Salutation": address.string("Salutation", 15),
                }
            )
        return addresses

    def _selling(self, body: Body, books: Books) -> Record:
        raw = body.data.get("SellingDetails")
        if raw is None:
            body.add(errors.required("SellingDetails"))
            return copy.deepcopy(self.template["SellingDetails"])
        selling = body.nested(raw, "SellingDetails.")
        if selling is None:
            return copy.deepcopy(self.template["SellingDetails"])
        selling.refuse_unknown(_SELLING_KEYS)
        result = copy.deepcopy(self.template["SellingDetails"])
        tax = _linked(books, selling, "TaxCode", TAX_CODE, required=True)
        freight = _linked(books, selling, "FreightTaxCode", TAX_CODE, required=True)
        income = _linked(books, selling, "IncomeAccount", ACCOUNT, required=False)
        result.update(
            {
                "SaleLayout": selling.choice("SaleLayout", SALE_LAYOUTS, "NoDefault"),
                "PrintedForm": selling.string("PrintedForm", 255),
                "InvoiceDelivery": selling.choice(
                    "InvoiceDelivery", ("Print", "Email", "PrintAndEmail"), "Print"
                ),
                "ItemPriceLevel": selling.string("ItemPriceLevel", 255),
                "IncomeAccount": links.account(income) if income else None,
                "ReceiptMemo": selling.string("ReceiptMemo", 255),
                "SaleComment": selling.string("SaleComment", 255),
                "ShippingMethod": selling.string("ShippingMethod", 255),
                "ABN": selling.string("ABN", 14),
                "ABNBranch": selling.string("ABNBranch", 11),
                "TaxIdNumber": selling.string("TaxIdNumber", 19),
                "Memo": selling.string("Memo", 255),
                "TaxCode": links.tax_code(tax) if tax else None,
                "FreightTaxCode": links.tax_code(freight) if freight else None,
                "UseCustomerTaxCode": selling.boolean("UseCustomerTaxCode", False),
                "HourlyBillingRate": float(selling.decimal("HourlyBillingRate", default="0") or 0),
                "Terms": raw.get("Terms") if isinstance(raw.get("Terms"), dict) else None,
                "Credit": raw.get("Credit") if isinstance(raw.get("Credit"), dict) else None,
                "SalesPerson": raw.get("SalesPerson")
                if isinstance(raw.get("SalesPerson"), dict)
                else None,
            }
        )
        return result

    def before_delete(self, books: Books, record: Record) -> None:
        for resource in (*INVOICES, PAYMENT):
            if any(
                (other.get("Customer") or {}).get("UID") == record["UID"]
                for other in books.records(resource).values()
            ):
                raise errors.invalid(
                    "UID", "A card with transactions cannot be deleted", "CardHasTransactions"
                )


# -- Inventory/Item ------------------------------------------------------------------

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
        if number and not _unique(books, ITEM, "Number", number, own):
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
        account = _linked(books, body, name, ACCOUNT, required=required)
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
        tax = _linked(books, selling, "TaxCode", TAX_CODE, required=sold)
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


# -- Sale/Invoice/Item and Sale/Invoice/Service ----------------------------------------

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
        if not all(_unique(books, resource, "Number", number, own) for resource in INVOICES):
            body.add(
                errors.invalid(
                    "Number", f"Invoice number '{number}' is already in use", "InvoiceNumberInUse"
                )
            )
        record["Number"] = number
        record["Date"] = body.date("Date", required=True)
        customer = _linked(books, body, "Customer", CUSTOMER, required=True)
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
        freight_tax = _linked(books, body, "FreightTaxCode", TAX_CODE, required=freight != 0)
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
            if all(_unique(books, resource, "Number", candidate, None) for resource in INVOICES):
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
            tax = _linked(books, line, "TaxCode", TAX_CODE, required=True)
            stored: Record = {
                "RowID": index + 1,
                "Type": "Transaction",
                "Description": line.string("Description", 255, required=self.layout == "Service"),
            }
            if self.layout == "Item":
                self._item_line(line, books, stored)
            else:
                account = _linked(books, line, "Account", ACCOUNT, required=True)
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
            stored["RowVersion"] = None
            lines.append(stored)
        return lines

    def _item_line(self, line: Body, books: Books, stored: Record) -> None:
        item = _linked(books, line, "Item", ITEM, required=True)
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


# -- Sale/CustomerPayment ------------------------------------------------------------

_APPLIED_KEYS = frozenset({"UID", "Type", "AmountApplied", "Number", "URI", "RowID"})


class PaymentResource(Resource):
    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        body.refuse_unknown(self.fields)
        record = self.blank()
        deposit_to = body.choice("DepositTo", ("Account", "UndepositedFunds"))
        if deposit_to is None and "DepositTo" not in body.data:
            body.add(errors.required("DepositTo"))
        record["DepositTo"] = deposit_to
        account = _linked(books, body, "Account", ACCOUNT, required=deposit_to == "Account")
        if account is not None and account["Type"] not in ("Bank", "CreditCard"):
            body.add(
                errors.invalid(
                    "Account",
                    "Payments are deposited to a bank or credit card account",
                    "InvalidAccount",
                )
            )
        record["Account"] = links.account(account) if account else None
        customer = _linked(books, body, "Customer", CUSTOMER, required=True)
        record["Customer"] = links.customer(customer) if customer else None
        record["ReceiptNumber"] = body.string("ReceiptNumber", 8)
        record["Date"] = body.date("Date", required=True)
        record["PaymentMethod"] = body.string("PaymentMethod", 255)
        record["Memo"] = body.string("Memo", 255)
        record["Invoices"] = self._applied(body, books, customer)
        applied = sum((Decimal(str(i["AmountApplied"])) for i in record["Invoices"]), Decimal(0))
        received = body.decimal("AmountReceived")
        if received is not None and received != applied:
            body.add(
                errors.invalid(
                    "AmountReceived",
                    "AmountReceived must equal the sum of AmountApplied",
                    "AmountMismatch",
                )
            )
        record["AmountReceived"] = money(applied)
        return record

    def _applied(self, body: Body, books: Books, customer: Record | None) -> list[Record]:
        raw = body.data.get("Invoices")
        if not isinstance(raw, list) or not raw:
            body.add(errors.required("Invoices"))
            return []
        applied: list[Record] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            part = body.nested(entry, f"Invoices[{index}].")
            if part is None:
                continue
            part.refuse_unknown(_APPLIED_KEYS)
            if part.choice("Type", ("Invoice",), "Invoice") is None:
                continue
            uid = str(part.data.get("UID") or "").lower()
            invoice = books.find(ITEM_INVOICE, uid) or books.find(SERVICE_INVOICE, uid)
            amount = part.decimal("AmountApplied", required=True)
            if invoice is None:
                part.add(errors.not_found_reference(part.name("UID"), uid or None))
                continue
            if uid in seen:
                part.add(errors.invalid(part.name("UID"), "An invoice is paid once per payment"))
            seen.add(uid)
            if customer is not None and invoice["Customer"]["UID"] != customer["UID"]:
                part.add(
                    errors.invalid(
                        part.name("UID"), f"Invoice {invoice['Number']} belongs to another customer"
                    )
                )
            if amount is not None and (
                amount <= 0 or amount > Decimal(str(invoice["BalanceDueAmount"]))
            ):
                part.add(
                    errors.invalid(
                        part.name("AmountApplied"),
                        "AmountApplied must be more than 0 and at most the balance due of invoice"
                        f" {invoice['Number']} ({invoice['BalanceDueAmount']})",
                        "AmountAppliedExceedsBalanceDue",
                    )
                )
            applied.append(
                {
                    "RowID": index + 1,
                    "Number": invoice["Number"],
                    "UID": invoice["UID"],
                    "URI": invoice["URI"],
                    "Type": "Invoice",
                    "AmountApplied": money(amount or Decimal(0)),
                }
            )
        return applied

    def after_write(self, books: Books, record: Record, previous: Record | None) -> None:
        self._apply(books, record, Decimal(1), record["Date"])

    def after_delete(self, books: Books, record: Record) -> None:
        self._apply(books, record, Decimal(-1), None)

    def _apply(self, books: Books, payment: Record, sign: Decimal, date: str | None) -> None:
        for applied in payment["Invoices"]:
            invoice = books.find(ITEM_INVOICE, applied["UID"]) or books.find(
                SERVICE_INVOICE, applied["UID"]
            )
            if invoice is None:
                continue
            balance = Decimal(str(invoice["BalanceDueAmount"])) - sign * Decimal(
                str(applied["AmountApplied"])
            )
            invoice["BalanceDueAmount"] = money(balance)
            invoice["Status"] = "Closed" if balance == 0 else "Open"
            if date is not None:
                invoice["LastPaymentDate"] = date
            books.touch(invoice)


# -- The resource table -----------------------------------------------------------------


def _customer_template() -> Record:
    return {
        "UID": None,
        "CompanyName": None,
        "LastName": None,
        "FirstName": None,
        "IsIndividual": False,
        "DisplayID": "*None",
        "IsActive": True,
        "Addresses": [],
        "Notes": None,
        "CurrentBalance": 0.0,
        "SellingDetails": {
            "SaleLayout": "NoDefault",
            "PrintedForm": None,
            "InvoiceDelivery": "Print",
            "ItemPriceLevel": None,
            "IncomeAccount": None,
            "ReceiptMemo": None,
            "SalesPerson": None,
            "SaleComment": None,
            "ShippingMethod": None,
            "HourlyBillingRate": 0.0,
            "ABN": None,
            "ABNBranch": None,
            "TaxCode": None,
            "FreightTaxCode": None,
            "UseCustomerTaxCode": False,
            "Terms": None,
            "Credit": None,
            "TaxIdNumber": None,
            "Memo": None,
        },
        "PhotoURI": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def _item_template() -> Record:
    return {
        "UID": None,
        "Number": None,
        "Name": None,
        "IsActive": True,
        "Description": None,
        "UseDescription": False,
        "QuantityOnHand": 0.0,
        "QuantityCommitted": 0.0,
        "QuantityOnOrder": 0.0,
        "QuantityAvailable": 0.0,
        "AverageCost": 0.0,
        "CurrentValue": 0.0,
        "BaseSellingPrice": 0.0,
        "IsBought": False,
        "IsSold": False,
        "IsInventoried": False,
        "CostOfSalesAccount": None,
        "IncomeAccount": None,
        "ExpenseAccount": None,
        "AssetAccount": None,
        "BuyingDetails": None,
        "SellingDetails": {
            "BaseSellingPrice": 0.0,
            "SellingUnitOfMeasure": None,
            "ItemsPerSellingUnit": 1.0,
            "TaxCode": None,
            "IsTaxInclusive": False,
            "CalculateSalesTaxOn": "ActualSellingPrice",
        },
        "PhotoURI": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def _invoice_template() -> Record:
    return {
        "UID": None,
        "Number": None,
        "Date": None,
        "CustomerPurchaseOrderNumber": None,
        "Customer": None,
        "PromisedDate": None,
        "BalanceDueAmount": 0.0,
        "Status": "Open",
        "InvoiceType": None,
        "Lines": [],
        "ShipToAddress": None,
        "Terms": None,
        "IsTaxInclusive": False,
        "Subtotal": 0.0,
        "Freight": 0.0,
        "FreightTaxCode": None,
        "TotalTax": 0.0,
        "TotalAmount": 0.0,
        "Comment": None,
        "ShippingMethod": None,
        "JournalMemo": None,
        "InvoiceDeliveryStatus": "Nothing",
        "LastPaymentDate": None,
        "ForeignCurrency": None,
        "CurrencyExchangeRate": 1.0,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def _payment_template() -> Record:
    return {
        "UID": None,
        "DepositTo": None,
        "Account": None,
        "Customer": None,
        "ReceiptNumber": None,
        "Date": None,
        "AmountReceived": 0.0,
        "PaymentMethod": None,
        "Memo": None,
        "Invoices": [],
        "ForeignCurrency": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def _account_template() -> Record:
    return {
        "UID": None,
        "Name": None,
        "DisplayID": None,
        "Classification": None,
        "Type": None,
        "Number": None,
        "Description": None,
        "ParentAccount": None,
        "IsActive": True,
        "TaxCode": None,
        "Level": 4,
        "OpeningBalance": 0.0,
        "CurrentBalance": 0.0,
        "BankingDetails": None,
        "IsHeader": False,
        "LastReconciledDate": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def _tax_code_template() -> Record:
    return {
        "UID": None,
        "Code": None,
        "Description": None,
        "Type": None,
        "Rate": 0.0,
        "IsRateNegative": False,
        "TaxCollectedAccount": None,
        "TaxPaidAccount": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


class ReadOnlyResource(Resource):
    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        raise MyobError(405, "MethodNotAllowed", "The emulator serves this resource read-only")


_INVOICE_COMPUTED = BOOKKEEPING | {
    "BalanceDueAmount",
    "Status",
    "InvoiceType",
    "Subtotal",
    "TotalTax",
    "TotalAmount",
    "LastPaymentDate",
    "ForeignCurrency",
    "CurrencyExchangeRate",
}

RESOURCES: dict[str, Resource] = {
    CUSTOMER: CustomerResource(
        CUSTOMER, _customer_template(), CRUD, BOOKKEEPING | {"CurrentBalance", "PhotoURI"}
    ),
    ITEM: ItemResource(
        ITEM,
        _item_template(),
        CRUD,
        BOOKKEEPING
        | {
            "QuantityOnHand",
            "QuantityCommitted",
            "QuantityOnOrder",
            "QuantityAvailable",
            "AverageCost",
            "CurrentValue",
            "BaseSellingPrice",
            "PhotoURI",
        },
    ),
    ACCOUNT: ReadOnlyResource(ACCOUNT, _account_template(), READ),
    TAX_CODE: ReadOnlyResource(TAX_CODE, _tax_code_template(), READ),
    ITEM_INVOICE: InvoiceResource(ITEM_INVOICE, _invoice_template(), "Item", _INVOICE_COMPUTED),
    SERVICE_INVOICE: InvoiceResource(
        SERVICE_INVOICE, _invoice_template(), "Service", _INVOICE_COMPUTED
    ),
    # MYOB has no PUT for a customer payment: delete it and record it again.
    PAYMENT: PaymentResource(
        PAYMENT,
        _payment_template(),
        frozenset({"GET", "POST", "DELETE"}),
        BOOKKEEPING | {"AmountReceived", "ForeignCurrency"},
    ),
}
# Read-only unions MYOB lists at the parent path.
UNIONS: dict[str, tuple[str, ...]] = {
    "Contact": (CUSTOMER,),
    "Sale/Invoice": INVOICES,
}
