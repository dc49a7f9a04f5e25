"""Which QuickBooks item each invoice line is sold as.

Every sales line in QuickBooks names an item, and the item decides the income account
the line is posted to. A line whose Loc8 line item has an item in QuickBooks is sold
as that item. A line without one (its line item is not linked, or has none) is sold
as Loc8's own item for the line's account, "<account name> (Loc8)": priced by the line,
with no SKU, never offered to Loc8's catalogue, made once when first needed and found
by its name afterwards. A line's account is never changed by the
item a similar product happens to have.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.adapters.providers.quickbooks.batches import BatchWriter, Operation
from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient
from chalicelib.adapters.providers.quickbooks.mappers import item_from_qbo, ref
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.adapters.providers.quickbooks.query import where_in
from chalicelib.domain.accounting import Account, AppInvoice, AppInvoiceLine, AppItem

SUFFIX = " (Loc8)"


def is_own_item(item: AppItem) -> bool:
    """One of Loc8's per-account items: no SKU (its code is its name) and our suffix."""
    return item.code == item.name and item.name.endswith(SUFFIX)


def own_item_name(account: Account) -> str:
    limit = QUICKBOOKS_PROFILE.item_name_max_length - len(SUFFIX)
    return f"{account.name[:limit]}{SUFFIX}"


class SalesItems:
    def __init__(
        self,
        *,
        client: QuickBooksClient,
        writer: BatchWriter,
        catalogue: Callable[[], list[AppItem]],
        inactive: Callable[[], set[str]],
        accounts: Callable[[], list[Account]],
        note: Callable[[list[AppItem]], None],
    ) -> None:
        self._client = client
        self._writer = writer
        self._catalogue = catalogue
        self._inactive = inactive
        self._accounts = accounts
        self._note = note

    def item_for(self) -> Callable[[AppInvoiceLine], str | None]:
        """The item Id for each line; `prepare` first made the accounts' own items."""
        items = [i for i in self._catalogue() if i.id and i.id not in self._inactive()]
        by_code = {item.code.casefold(): item.id for item in items}
        by_name = {item.name.casefold(): item for item in items}
        names = {a.code: own_item_name(a) for a in self._accounts()}

        def item_for(line: AppInvoiceLine) -> str | None:
            if line.item_code and line.item_code.casefold() in by_code:
                return by_code[line.item_code.casefold()]
            own = by_name.get(names.get(line.account_code or "", "").casefold())
            return own.id if own else None

        return item_for

    def prepare(self, invoices: Iterable[AppInvoice]) -> None:
        """Make the accounts' own items the lines without an item of theirs need."""
        item_for = self.item_for()
        wanted = {
            line.account_code
            for invoice in invoices
            for line in invoice.lines
            if line.account_code and item_for(line) is None
        }
        accounts = [a for a in self._accounts() if a.code in wanted]
        if not accounts:
            return
        digest = hashlib.sha256("|".join(sorted(a.code for a in accounts)).encode()).hexdigest()
        results = self._writer.write(
            [
                Operation(
                    "Item",
                    "create",
                    lambda _token, a=account: _own_item_body(a),
                    item_from_qbo,
                )
                for account in accounts
            ],
            f"loc8-own-items-{digest[:32]}",
        )
        made = [r.record for r in results if r.ok and r.record is not None]
        missing = [own_item_name(a) for a, r in zip(accounts, results, strict=True) if not r.ok]
        if missing:  # made by an earlier job (or inactive): found by name
            found = self._client.query(
                where_in("Item", "Name", missing, extra="Active IN (true, false)"),
                operation="find_own_items",
            )
            made += [
                item
                for item in (item_from_qbo(r) for r in found.get("Item") or [])
                if item is not None
            ]
        self._note(made)


def _own_item_body(account: Account) -> dict[str, Any]:
    return {
        "Name": own_item_name(account),
        "Type": "Service",
        "IncomeAccountRef": ref(account.code),
        "Description": "Invoice lines Loc8 sends without an item of their own.",
    }
