"""Every entity the emulator serves, by its name and by its URL path (lower case)."""

from __future__ import annotations

from localdev.quickbooks.accounting.accounts import ACCOUNT
from localdev.quickbooks.accounting.customers import CUSTOMER
from localdev.quickbooks.accounting.info import COMPANY_INFO
from localdev.quickbooks.accounting.invoices import INVOICE
from localdev.quickbooks.accounting.items import ITEM
from localdev.quickbooks.accounting.payments import PAYMENT
from localdev.quickbooks.accounting.tax import TAX_CODE, TAX_RATE
from localdev.quickbooks.accounting.writes import EntityKind

ENTITIES: dict[str, EntityKind] = {
    kind.name: kind
    for kind in (CUSTOMER, ITEM, ACCOUNT, TAX_CODE, TAX_RATE, INVOICE, PAYMENT, COMPANY_INFO)
}
BY_PATH: dict[str, EntityKind] = {kind.path: kind for kind in ENTITIES.values()}
# Entities QuickBooks has that the emulator does not serve: a query or CDC naming them
# gets the emulator's 501 rather than a silent empty answer.
NOT_EMULATED = frozenset(
    {
        "Vendor",
        "Employee",
        "Bill",
        "BillPayment",
        "Estimate",
        "CreditMemo",
        "SalesReceipt",
        "RefundReceipt",
        "Deposit",
        "Purchase",
        "PurchaseOrder",
        "JournalEntry",
        "Transfer",
        "Class",
        "Department",
        "Term",
        "PaymentMethod",
        "Attachable",
        "TimeActivity",
        "VendorCredit",
        "Budget",
        "Preferences",
        "TaxAgency",
        "CompanyCurrency",
        "ExchangeRate",
        "RecurringTransaction",
        "CustomerType",
    }
)
