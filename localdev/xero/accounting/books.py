"""One organisation's accounting data, with the indexes Xero's rules need.

Tables are plain dicts keyed by ID: Python dicts keep insertion order, so a table is
both the lookup and the creation-ordered list that paging walks, and seeding 10,000
records stays linear. Uniqueness rules (active contact names, ACCREC invoice numbers,
account and item codes) are answered from the side indexes in O(1).
"""

from __future__ import annotations

import threading
from datetime import datetime

from localdev.xero.accounting.records import Record


def fold(value: str) -> str:
    """Xero compares names and codes case-insensitively and ignores outer spaces."""
    return value.strip().casefold()


class Books:
    def __init__(self, tenant_id: str, organisation: Record) -> None:
        # Guards every table below; held for whole write batches and for the
        # filter/sort/slice of a read, never for serialising a response.
        self.lock = threading.RLock()
        self.tenant_id = tenant_id
        self.organisation = organisation
        self.accounts: dict[str, Record] = {}
        self.account_codes: dict[str, str] = {}  # folded Code -> AccountID
        self.tax_rates: dict[str, Record] = {}  # TaxType -> record
        self.contacts: dict[str, Record] = {}
        self.active_contact_names: dict[str, str] = {}  # folded Name -> ContactID
        self.contact_numbers: dict[str, str] = {}  # folded ContactNumber -> ContactID
        self.items: dict[str, Record] = {}
        self.item_codes: dict[str, str] = {}  # folded Code -> ItemID
        self.invoices: dict[str, Record] = {}
        self.sales_invoice_numbers: dict[str, str] = {}  # ACCREC, not DELETED
        self.invoices_by_contact: dict[str, list[str]] = {}
        self.payments: dict[str, Record] = {}
        self.next_invoice_number = 1
        self.next_custom_tax_type = 1

    # --- lookups shared by the resource modules ----------------------------------------
    def account_by_code(self, code: str) -> Record | None:
        account_id = self.account_codes.get(fold(code))
        return None if account_id is None else self.accounts[account_id]

    def item_by_code(self, code: str) -> Record | None:
        item_id = self.item_codes.get(fold(code))
        return None if item_id is None else self.items[item_id]

    def sales_invoice_by_number(self, number: str) -> Record | None:
        invoice_id = self.sales_invoice_numbers.get(fold(number))
        return None if invoice_id is None else self.invoices[invoice_id]

    def invoice_by_id_or_number(self, key: str) -> Record | None:
        found = self.invoices.get(key.lower())
        return found if found is not None else self.sales_invoice_by_number(key)

    def take_invoice_number(self) -> str:
        """Xero's next sales invoice number (INV-0001...), skipping numbers already used."""
        while True:
            number = f"INV-{self.next_invoice_number:04d}"
            self.next_invoice_number += 1
            if fold(number) not in self.sales_invoice_numbers:
                return number

    def counts(self) -> dict[str, int]:
        return {
            "Accounts": len(self.accounts),
            "TaxRates": len(self.tax_rates),
            "Contacts": len(self.contacts),
            "Items": len(self.items),
            "Invoices": len(self.invoices),
            "Payments": len(self.payments),
        }


def organisation_record(
    tenant_id: str, name: str, created_at: datetime, *, demo: bool, short_code: str
) -> Record:
    """An AU organisation as GET /Organisation describes it."""
    return {
        "OrganisationID": tenant_id,
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": "AU",
        "OrganisationType": "COMPANY",
        "BaseCurrency": "AUD",
        "CountryCode": "AU",
        "IsDemoCompany": demo,
        "OrganisationStatus": "ACTIVE",
        "TaxNumber": "12345678901",
        "FinancialYearEndDay": 30,
        "FinancialYearEndMonth": 6,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Inclusive",
        "CreatedDateUTC": created_at,
        "OrganisationEntityType": "COMPANY",
        "Timezone": "AUSEASTERNSTANDARDTIME",
        "ShortCode": short_code,
        "Edition": "BUSINESS",
        "Class": "DEMO" if demo else "STANDARD",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
