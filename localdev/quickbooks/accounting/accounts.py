"""Account: the chart of accounts. Classification follows from AccountType.

Names are unique among accounts (6240) and may not contain a colon or a double quote
(Intuit's Account reference); Classification and FullyQualifiedName are the API's.
Accounts are never deleted, only made inactive.
"""

from __future__ import annotations

from datetime import datetime

from localdev.quickbooks.accounting import faults, writes
from localdev.quickbooks.accounting.books import Books, Record, fold
from localdev.quickbooks.accounting.schema import ACCOUNT_KINDS
from localdev.quickbooks.accounting.values import as_bool, drop_empty

READ_ONLY = frozenset(
    {"FullyQualifiedName", "Classification", "CurrentBalance", "CurrentBalanceWithSubAccounts"}
)
MAX_NAME = 100
# AccountTypeEnum -> (Classification, the sub-type QuickBooks picks when none is given)
ACCOUNT_TYPES: dict[str, tuple[str, str]] = {
    "Bank": ("Asset", "Checking"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "OtherFixedAssets"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Equity": ("Equity", "OwnersEquity"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Income": ("Revenue", "ServiceFeeIncome"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
}


def build(books: Books, body: Record, current: Record | None, now: datetime) -> Record:
    body = drop_empty(body)
    name = body.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise faults.required_missing("Name", "Account.Name")
    name = name.strip()
    if len(name) > MAX_NAME or ":" in name or '"' in name:
        raise faults.business_rule(
            f"An account name is at most {MAX_NAME} characters, without colon (:) or "
            'double quote (").',
            "Name",
        )
    owner = books.account_names.get(fold(name))
    if owner is not None and (current is None or owner != current["Id"]):
        raise faults.duplicate_name("account", "Name")
    account_type = body.get("AccountType", None if current is None else current["AccountType"])
    if account_type is None:
        raise faults.required_missing("AccountType", "Account.AccountType")
    if account_type not in ACCOUNT_TYPES:
        raise faults.invalid_value(f"Invalid AccountType: {account_type}", "AccountType")
    classification, default_sub_type = ACCOUNT_TYPES[account_type]
    record: Record = {
        "SubAccount": False,
        "Active": True,
        "AccountSubType": default_sub_type,
        "CurrentBalance": 0 if current is None else current["CurrentBalance"],
        "CurrentBalanceWithSubAccounts": 0
        if current is None
        else current["CurrentBalanceWithSubAccounts"],
        "CurrencyRef": books.locale.currency_ref(),
    }
    record.update(body)
    record["Name"] = name
    record["FullyQualifiedName"] = name
    record["AccountType"] = account_type
    record["Classification"] = classification
    record["Active"] = as_bool(record["Active"], True)
    return record


def index(books: Books, record: Record, now: datetime) -> None:
    books.account_names[fold(record["Name"])] = record["Id"]


def unindex(books: Books, record: Record, now: datetime) -> None:
    if books.account_names.get(fold(record["Name"])) == record["Id"]:
        del books.account_names[fold(record["Name"])]


ACCOUNT = writes.EntityKind(
    name="Account",
    kinds=ACCOUNT_KINDS,
    read_only=READ_ONLY,
    build=build,
    index=index,
    unindex=unindex,
)
