"""What every company-file resource shares: the resource names, the Resource base
class and the checks on links and unique keys."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from localdev.myob import errors
from localdev.myob.books import Books
from localdev.myob.fields import Body

Record = dict[str, Any]
BOOKKEEPING = frozenset({"UID", "URI", "RowVersion", "LastModified"})
READ = frozenset({"GET"})
CRUD = frozenset({"GET", "POST", "PUT", "DELETE"})

CUSTOMER = "Contact/Customer"
ITEM = "Inventory/Item"
ACCOUNT = "GeneralLedger/Account"
TAX_CODE = "GeneralLedger/TaxCode"
ITEM_INVOICE = "Sale/Invoice/Item"
SERVICE_INVOICE = "Sale/Invoice/Service"
PAYMENT = "Sale/CustomerPayment"
INVOICES = (ITEM_INVOICE, SERVICE_INVOICE)

INCOME_CLASSES = ("Income", "OtherIncome")
EXPENSE_CLASSES = ("Expense", "CostOfSales", "OtherExpense")


@dataclass
class Resource:
    path: str
    template: Record
    methods: frozenset[str] = CRUD
    # Fields a client may send back as it read them; MYOB computes them, so ignored.
    computed: frozenset[str] = field(default_factory=frozenset)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.template)

    def blank(self) -> Record:
        return copy.deepcopy(self.template)

    def build(self, body: Body, books: Books, existing: Record | None) -> Record:
        raise NotImplementedError

    def before_delete(self, books: Books, record: Record) -> None:
        """Raise MyobError when MYOB would refuse to delete the record."""

    def after_write(self, books: Books, record: Record, previous: Record | None) -> None:
        """Effects on other records (a payment on its invoices)."""

    def after_delete(self, books: Books, record: Record) -> None:
        """Undo what after_write did."""


def linked(
    books: Books, body: Body, field_name: str, resource: str, *, required: bool
) -> Record | None:
    uid = body.uid_of(field_name, required=required)
    if uid is None:
        return None
    found = books.find(resource, uid)
    if found is None:
        body.add(errors.not_found_reference(body.name(field_name), uid))
    return found


def unique(
    books: Books, resource: str, field_name: str, value: str | None, own_uid: str | None
) -> bool:
    """Case-insensitively (stricter than a case-sensitive unique index)."""
    if not value:
        return True
    wanted = value.casefold()
    return not any(
        str(other.get(field_name) or "").casefold() == wanted and uid != own_uid
        for uid, other in books.records(resource).items()
    )
