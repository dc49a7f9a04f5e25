"""The AU company's starting books: chart of accounts, GST tax rates and tax codes.

Account types and sub-types are Intuit's enumerations (Finance.xsd AccountTypeEnum,
AccountSubTypeEnum's values as the Account reference lists them). The GST codes follow
QuickBooks Online Australia's standard list; the emulator's Ids are its own.
"""

from __future__ import annotations

from datetime import datetime

from localdev.quickbooks.accounting.books import Books, Record, fold

AUD = {"value": "AUD", "name": "Australian Dollar"}

# (Name, AccountType, AccountSubType, Classification, Active)
AU_ACCOUNTS: tuple[tuple[str, str, str, str, bool], ...] = (
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

# (Name, Description, RateValue)
AU_TAX_RATES: tuple[tuple[str, str, int], ...] = (
    ("GST (sales)", "GST on sales", 10),
    ("GST (purchases)", "GST on purchases", 10),
    ("GST free (sales)", "GST free sales", 0),
    ("GST free (purchases)", "GST free purchases", 0),
    ("Export (sales)", "GST free exports", 0),
    ("Input taxed (sales)", "Input taxed sales", 0),
    ("Out of scope", "Not reportable for GST", 0),
)

# (Name, Description, sales rate names, purchase rate names)
AU_TAX_CODES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("GST", "GST", ("GST (sales)",), ("GST (purchases)",)),
    ("GST free", "GST free", ("GST free (sales)",), ("GST free (purchases)",)),
    ("Export", "GST free exports", ("Export (sales)",), ()),
    ("Input taxed", "Input taxed", ("Input taxed (sales)",), ()),
    ("Out of scope", "Out of scope", ("Out of scope",), ("Out of scope",)),
    ("GST on purchases only", "GST on non-capital purchases", (), ("GST (purchases)",)),
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
        "CurrencyRef": dict(AUD),
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
    """Accounts, then the GST rates and the codes made of them."""
    for account in AU_ACCOUNTS:
        add_account(books, account, now)
    for name, description, value in AU_TAX_RATES:
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
    for name, description, sales, purchases in AU_TAX_CODES:
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
