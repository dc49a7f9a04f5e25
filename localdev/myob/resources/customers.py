"""Contact/Customer: company or individual cards, their addresses and selling details."""

from __future__ import annotations

import copy

from localdev.myob import errors, links
from localdev.myob.books import Books
from localdev.myob.fields import Body
from localdev.myob.resources.base import (
    ACCOUNT,
    CUSTOMER,
    INVOICES,
    PAYMENT,
    TAX_CODE,
    Record,
    Resource,
    linked,
    unique,
)

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
        if display_id != "*None" and not unique(books, CUSTOMER, "DisplayID", display_id, own):
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
        tax = linked(books, selling, "TaxCode", TAX_CODE, required=True)
        freight = linked(books, selling, "FreightTaxCode", TAX_CODE, required=True)
        income = linked(books, selling, "IncomeAccount", ACCOUNT, required=False)
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
