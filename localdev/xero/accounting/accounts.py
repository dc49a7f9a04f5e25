"""Chart of accounts: GET /Accounts, PUT /Accounts, POST /Accounts/{AccountID}."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from localdev.xero.accounting import inputs, messages
from localdev.xero.accounting.books import Books, fold
from localdev.xero.accounting.problems import not_found
from localdev.xero.accounting.records import (
    EMPTY_ID,
    Invalid,
    Record,
    WriteContext,
    new_id,
    plain,
    with_errors,
)
from localdev.xero.accounting.where import Schema

COLLECTION = "Accounts"
ID_FIELD = "AccountID"

CLASS_OF_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
    "OTHERINCOME": "REVENUE",
    "EXPENSE": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "DEPRECIATN": "EXPENSE",
}
_REPORTING = {
    "ASSET": ("ASS", "Assets"),
    "LIABILITY": ("LIA", "Liabilities"),
    "EQUITY": ("EQU", "Equity"),
    "REVENUE": ("REV", "Revenue"),
    "EXPENSE": ("EXP", "Expense"),
}
_MAX_CODE_LENGTH = 10

SCHEMA = Schema(
    "Account",
    dict.fromkeys(
        [
            "AccountID",
            "Code",
            "Name",
            "Type",
            "Status",
            "Description",
            "TaxType",
            "EnablePaymentsToAccount",
            "ShowInExpenseClaims",
            "Class",
            "SystemAccount",
            "BankAccountNumber",
            "BankAccountType",
            "CurrencyCode",
            "ReportingCode",
            "ReportingCodeName",
            "HasAttachments",
            "UpdatedDateUTC",
        ]
    ),
    required=frozenset(("Name", "Type", "Status", "Class")),
)

INPUT: inputs.Spec = {
    "AccountID": inputs.guid,
    "Code": inputs.text,
    "Name": inputs.text,
    "Type": inputs.enum(*CLASS_OF_TYPE),
    "Status": inputs.enum("ACTIVE", "ARCHIVED"),
    "Description": inputs.text,
    "TaxType": inputs.text,
    "EnablePaymentsToAccount": inputs.boolean,
    "ShowInExpenseClaims": inputs.boolean,
    "BankAccountNumber": inputs.text,
    "BankAccountType": inputs.enum("BANK", "CREDITCARD", "PAYPAL", "NONE", ""),
    "CurrencyCode": inputs.text,
    "ReportingCode": inputs.text,
    "AddToWatchlist": inputs.boolean,
}


def make(
    code: str,
    name: str,
    account_type: str,
    tax_type: str,
    now: datetime,
    *,
    status: str = "ACTIVE",
    description: str | None = None,
    system_account: str | None = None,
    enable_payments: bool = False,
    bank_account_number: str | None = None,
) -> Record:
    account_class = CLASS_OF_TYPE[account_type]
    reporting_code, reporting_name = _REPORTING[account_class]
    is_bank = account_type == "BANK"
    return {
        "AccountID": new_id(),
        "Code": code,
        "Name": name,
        "Status": status,
        "Type": account_type,
        "TaxType": tax_type,
        "Description": description,
        "Class": account_class,
        "SystemAccount": system_account,
        "EnablePaymentsToAccount": enable_payments,
        "ShowInExpenseClaims": account_class == "EXPENSE",
        "BankAccountNumber": bank_account_number if is_bank else None,
        "BankAccountType": "BANK" if is_bank else None,
        "CurrencyCode": "AUD" if is_bank else None,
        "ReportingCode": reporting_code,
        "ReportingCodeName": reporting_name,
        "HasAttachments": False,
        "UpdatedDateUTC": now,
        "AddToWatchlist": False,
    }


def add(books: Books, account: Record) -> Record:
    books.accounts[account["AccountID"]] = account
    books.account_codes[fold(account["Code"])] = account["AccountID"]
    return account


def to_json(account: Mapping[str, Any]) -> dict[str, Any]:
    return plain(account)


def save(books: Books, data: Mapping[str, Any], ctx: WriteContext) -> Record:
    existing: Record | None = None
    if ctx.mode == "update":
        existing = books.accounts.get(ctx.target_id or "")
        if existing is None:
            raise not_found()
    errors: list[str] = []
    if existing is None:
        missing = [name for name in ("Code", "Name", "Type") if not data.get(name)]
        if missing:
            errors.append(messages.ACCOUNT_FIELDS_REQUIRED)
        base = make(
            data.get("Code", ""),
            data.get("Name", ""),
            data.get("Type", "EXPENSE"),
            data.get("TaxType") or _default_tax_type(data.get("Type", "EXPENSE")),
            ctx.now,
        )
        base["AccountID"] = EMPTY_ID
    else:
        base = dict(existing)
        if data.get("Status") in ("ARCHIVED",) and existing.get("SystemAccount"):
            errors.append(messages.ACCOUNT_SYSTEM_ARCHIVE)
    candidate = {**base, **{k: v for k, v in data.items() if k != "AccountID"}}
    candidate["Class"] = CLASS_OF_TYPE[candidate["Type"]]
    candidate["UpdatedDateUTC"] = ctx.now
    errors += _check(books, candidate, existing)
    if errors:
        raise Invalid(with_errors(to_json(candidate), errors, "HasValidationErrors"), errors)
    if existing is None:
        candidate["AccountID"] = new_id()
    else:
        books.account_codes.pop(fold(existing["Code"]), None)
    return add(books, candidate)


def _default_tax_type(account_type: str) -> str:
    return {"REVENUE": "OUTPUT", "EXPENSE": "INPUT"}.get(CLASS_OF_TYPE[account_type], "BASEXCLUDED")


def _check(books: Books, candidate: Record, existing: Record | None) -> list[str]:
    errors: list[str] = []
    own_id = None if existing is None else existing["AccountID"]
    code = candidate.get("Code") or ""
    if len(code) > _MAX_CODE_LENGTH:
        errors.append(messages.ACCOUNT_CODE_TOO_LONG)
    holder = books.account_codes.get(fold(code)) if code else None
    if holder is not None and holder != own_id:
        errors.append(messages.ACCOUNT_CODE_TAKEN)
    name = fold(candidate.get("Name") or "")
    if name and any(
        fold(other["Name"]) == name and other["AccountID"] != own_id
        for other in books.accounts.values()
    ):
        errors.append(messages.ACCOUNT_NAME_TAKEN)
    tax_type = candidate.get("TaxType")
    rate = books.tax_rates.get(tax_type or "")
    if tax_type and (rate is None or rate["Status"] != "ACTIVE"):
        errors.append(messages.TAX_TYPE_UNKNOWN.format(tax_type=tax_type))
    return errors
