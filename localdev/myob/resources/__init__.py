"""The company-file resources the emulator serves and the rules MYOB holds them to.

Each resource builds the stored record from a request body (POST, or PUT as a full
replacement), refusing in MYOB's error body what MYOB refuses, and a bit more where the
documentation is silent (see localdev/myob/RULES.md).
"""

from __future__ import annotations

from localdev.myob.books import Books
from localdev.myob.errors import MyobError
from localdev.myob.fields import Body
from localdev.myob.resources.base import (
    ACCOUNT,
    BOOKKEEPING,
    CRUD,
    CUSTOMER,
    INVOICES,
    ITEM,
    ITEM_INVOICE,
    PAYMENT,
    READ,
    SERVICE_INVOICE,
    TAX_CODE,
    Record,
    Resource,
)
from localdev.myob.resources.customers import CustomerResource
from localdev.myob.resources.invoices import InvoiceResource
from localdev.myob.resources.items import ItemResource
from localdev.myob.resources.payments import PaymentResource
from localdev.myob.resources.templates import (
    account_template,
    customer_template,
    invoice_template,
    item_template,
    payment_template,
    tax_code_template,
)


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
        CUSTOMER, customer_template(), CRUD, BOOKKEEPING | {"CurrentBalance", "PhotoURI"}
    ),
    ITEM: ItemResource(
        ITEM,
        item_template(),
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
    ACCOUNT: ReadOnlyResource(ACCOUNT, account_template(), READ),
    TAX_CODE: ReadOnlyResource(TAX_CODE, tax_code_template(), READ),
    ITEM_INVOICE: InvoiceResource(ITEM_INVOICE, invoice_template(), "Item", _INVOICE_COMPUTED),
    SERVICE_INVOICE: InvoiceResource(
        SERVICE_INVOICE, invoice_template(), "Service", _INVOICE_COMPUTED
    ),
    # MYOB has no PUT for a customer payment: delete it and record it again.
    PAYMENT: PaymentResource(
        PAYMENT,
        payment_template(),
        frozenset({"GET", "POST", "DELETE"}),
        BOOKKEEPING | {"ForeignCurrency"},
    ),
}
# Read-only unions MYOB lists at the parent path.
UNIONS: dict[str, tuple[str, ...]] = {
    "Contact": (CUSTOMER,),
    "Sale/Invoice": INVOICES,
}

__all__ = [
    "ACCOUNT",
    "CUSTOMER",
    "INVOICES",
    "ITEM",
    "ITEM_INVOICE",
    "PAYMENT",
    "RESOURCES",
    "SERVICE_INVOICE",
    "TAX_CODE",
    "UNIONS",
    "Record",
    "Resource",
]
