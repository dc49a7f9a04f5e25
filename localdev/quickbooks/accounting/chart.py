"""A company's starting books: chart of accounts, its country's tax rates and codes.

Account types and sub-types are Intuit's enumerations (Finance.xsd AccountTypeEnum,
AccountSubTypeEnum's values as the Account reference lists them); the accounts are the
same in every country, the tax rates and codes the country's (locales.py).
"""

from __future__ import annotations

from datetime import datetime

from localdev.quickbooks.accounting.books import Books, Record, fold

# (Name, AccountType, AccountSubType, Classification, Active)
ACCOUNTS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("Sales", "Income", "SalesOfProductIncome", "Revenue", True),
    ("Services", "Income", "ServiceFeeIncome", "Revenue", True),
    ("Call-out Fees", "Income", "ServiceFeeIncome", "Revenue", True),
    ("Old Sales (inactive)", "Income", "SalesOfProductIncome", "Revenue", False),
    ("Interest Earned", "Other Income", "InterestEarned", "Revenue", True),
    ("Business Cheque Account", "Bank", "Checking", "Asset", True),
    ("Business Savings Account", "Bank", "Savings", "Asset", True),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "Asset", True),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "Asset", True),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability", True),
    ("GST Payable", "Other Current Liability", "GlobalTaxPayable", "Liability", True),
    ("Cost of Sales", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense", True),
    ("Motor Vehicle Expenses", "Expense", "Auto", "Expense", True),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "Equity", True),
)


def ref(record: Record) -> dict[str, str]:
    """A ReferenceType to a named record: {"value": Id, "name": Name}."""
    return {"value": record["Id"], "name": record.get("FullyQualifiedName") or record["Name"]}


def add_account(books: Books, spec: tuple[str, str, str, str, bool], now: datetime) -> Record:
    name, account_type, sub_type, classification, active = spec
    record: Record = {
        "Name": name,
        "SubAccount": False,
        "FullyQualifiedName": name,
        "Active": active,
        "Classification": classification,
        "AccountType": account_type,
        "AccountSubType": sub_type,
        "CurrentBalance": 0,
        "CurrentBalanceWithSubAccounts": 0,
        "CurrencyRef": books.locale.currency_ref(),
    }
    books.insert("Account", record, now)
    books.account_names[fold(name)] = record["Id"]
    return record


def _rate_details(books: Books, names: tuple[str, ...]) -> dict[str, list[Record]]:
    by_name = {rate["Name"]: rate for rate in books.table("TaxRate").values()}
    return {
        "TaxRateDetail": [
            {"TaxRateRef": ref(by_name[name]), "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
            for name in names
        ]
    }


def add_chart(books: Books, now: datetime) -> None:
    """Accounts, then the country's tax rates and the codes made of them (US companies:
    the automated sales tax's `TAX` and `NON` codes)."""
    for account in ACCOUNTS:
        add_account(books, account, now)
    for name, description, value in books.locale.rates:
        books.insert(
            "TaxRate",
            {
                "Name": name,
                "Description": description,
                "Active": True,
                "RateValue": value,
                "AgencyRef": {"value": "1"},
                "SpecialTaxType": "NONE",
                "DisplayType": "ReadOnly",
                "EffectiveTaxRate": [{"RateValue": value, "EffectiveDate": "2000-07-01T00:00:00Z"}],
            },
            now,
        )
    for name, description, sales, purchases in books.locale.codes:
        books.insert(
            "TaxCode",
            {
                "Name": name,
                "Description": description,
                "Active": True,
                "Hidden": False,
                "Taxable": True,
                "TaxGroup": len(sales) + len(purchases) > 2,
                "SalesTaxRateList": _rate_details(books, sales),
                "PurchaseTaxRateList": _rate_details(books, purchases),
            },
            now,
        )
    if books.locale.automated_sales_tax:
        for code, taxable in (("TAX", True), ("NON", False)):
            books.insert(
                "TaxCode",
                {"Name": code, "Description": code, "Active": True, "Taxable": taxable},
                now,
                record_id=code,
            )
