"""Account and tax rules shared by invoice lines and item sales/purchase details."""

from __future__ import annotations

from localdev.xero.accounting import messages
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.records import Record
from localdev.xero.accounting.tax_rates import APPLIES_TO_FIELDS

# Which side of the ledger a document (or item detail) posts to, for tax checks
# when no account is given.
SALES = "REVENUE"
PURCHASES = "EXPENSE"


def document_account(
    books: Books, code: str | None, account_id: str | None
) -> tuple[Record | None, list[str]]:
    """The account a line may post to, or Xero's reason why not.

    Bank accounts and system accounts (receivables, payables, GST...) cannot be used
    on a document line; archived ones have their own message.
    """
    if account_id:
        account = books.accounts.get(account_id)
        label = code or account_id
    elif code:
        account = books.account_by_code(code)
        label = code
    else:
        return None, []
    if account is None:
        return None, [messages.ACCOUNT_NOT_VALID.format(code=label)]
    if account["Status"] != "ACTIVE":
        return account, [messages.ACCOUNT_ARCHIVED.format(code=account["Code"])]
    if account["Type"] == "BANK" or account.get("SystemAccount"):
        return account, [messages.ACCOUNT_NOT_VALID.format(code=account["Code"])]
    return account, []


def tax_errors(books: Books, tax_type: str, account: Record | None, side: str) -> list[str]:
    """A TaxType must exist, be ACTIVE, and apply to the account's class (or, with no
    account, to the document's side). An unknown code gets both of Xero's messages."""
    rate = books.tax_rates.get(tax_type)
    if rate is None or rate["Status"] != "ACTIVE":
        errors = [messages.TAX_TYPE_UNKNOWN.format(tax_type=tax_type)]
        if account is not None:
            errors.append(
                messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(tax_type=tax_type, code=account["Code"])
            )
        return errors
    if account is not None:
        if not rate[APPLIES_TO_FIELDS[account["Class"]]]:
            return [
                messages.TAX_TYPE_NOT_FOR_ACCOUNT.format(tax_type=tax_type, code=account["Code"])
            ]
        return []
    if not rate[APPLIES_TO_FIELDS[side]]:
        return [messages.TAX_TYPE_UNKNOWN.format(tax_type=tax_type)]
    return []
