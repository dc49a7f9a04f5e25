"""GET on a collection: filters, If-Modified-Since, where, order and paging.

Filtering, sorting and slicing happen under the organisation's lock; the page is
then rendered outside it (records are copy-on-write, see records.py).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localdev.xero.accounting.books import Books
from localdev.xero.accounting.contacts import matches_search
from localdev.xero.accounting.dates import parse_if_modified_since
from localdev.xero.accounting.problems import request_invalid
from localdev.xero.accounting.records import Record
from localdev.xero.accounting.resources import ReadOptions, Resource
from localdev.xero.accounting.where import compile_order, compile_where, sort_rows

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class ListQuery:
    where: str | None = None
    order: str | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    modified_since: datetime | None = None
    ids: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    invoice_numbers: frozenset[str] | None = None
    contact_ids: frozenset[str] | None = None
    include_archived: bool = False
    created_by_my_app: bool = False
    search_term: str | None = None
    summary_only: bool = False
    unitdp: int = 2


def flag(args: Mapping[str, str], name: str) -> bool:
    return (args.get(name) or "").strip().casefold() == "true"


def _positive(args: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        raise request_invalid(f"The {name} parameter must be a whole number of at least 1{limit}.")
    return value


def _csv(args: Mapping[str, str], name: str, *, guids: bool = False) -> frozenset[str] | None:
    raw = args.get(name)
    if not raw:
        return None
    values = [value.strip().strip('"') for value in raw.split(",") if value.strip()]
    if guids:
        try:
            values = [str(uuid.UUID(value)) for value in values]
        except ValueError:
            raise request_invalid(f"The {name} parameter must be a list of GUIDs.") from None
        return frozenset(values)
    return frozenset(value.casefold() for value in values)


def parse_query(args: Mapping[str, str], headers: Mapping[str, str]) -> ListQuery:
    return ListQuery(
        where=args.get("where") or None,
        order=args.get("order") or None,
        page=_positive(args, "page", 1, None),
        page_size=_positive(args, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
        modified_since=parse_if_modified_since(headers.get("If-Modified-Since")),
        ids=_csv(args, "IDs", guids=True),
        statuses=_csv(args, "Statuses"),
        invoice_numbers=_csv(args, "InvoiceNumbers"),
        contact_ids=_csv(args, "ContactIDs", guids=True),
        include_archived=flag(args, "includeArchived"),
        created_by_my_app=flag(args, "createdByMyApp"),
        search_term=args.get("searchTerm") or None,
        summary_only=flag(args, "summaryOnly"),
        unitdp=4 if args.get("unitdp") == "4" else 2,
    )


@dataclass(frozen=True)
class Page:
    records: list[Record]
    related: Any
    pagination: dict[str, int] | None


def _filters(
    resource: Resource, query: ListQuery, client_id: str
) -> list[Callable[[Record], bool]]:
    tests: list[Callable[[Record], bool]] = []
    if query.modified_since is not None and resource.modified_since:
        since = query.modified_since
        # Second precision, as Xero: a record changed during the given second counts.
        tests.append(lambda r: r["UpdatedDateUTC"].replace(microsecond=0) >= since)
    if query.ids is not None:
        ids, id_field = query.ids, resource.id_field
        tests.append(lambda r: r[id_field] in ids)
    if resource.name == "Contacts":
        if not query.include_archived and query.ids is None:
            tests.append(lambda r: r["ContactStatus"] == "ACTIVE")
        if query.search_term:
            term = query.search_term
            tests.append(lambda r: matches_search(r, term))
    if resource.name == "Invoices":
        tests += _invoice_filters(query, client_id)
    return tests


def _invoice_filters(query: ListQuery, client_id: str) -> list[Callable[[Record], bool]]:
    tests: list[Callable[[Record], bool]] = []
    if query.statuses is not None:
        statuses = {status.upper() for status in query.statuses}
        tests.append(lambda r: r["Status"] in statuses)
    if query.invoice_numbers is not None:
        numbers = query.invoice_numbers
        tests.append(lambda r: (r.get("InvoiceNumber") or "").casefold() in numbers)
    if query.contact_ids is not None:
        contact_ids = query.contact_ids
        tests.append(lambda r: r["Contact"]["ContactID"] in contact_ids)
    if query.created_by_my_app:
        tests.append(lambda r: r.get("_created_by") == client_id)
    if query.search_term:
        term = query.search_term.casefold()
        tests.append(
            lambda r: (
                term in (r.get("InvoiceNumber") or "").casefold()
                or term in (r.get("Reference") or "").casefold()
            )
        )
    return tests


def list_page(
    books: Books, resource: Resource, query: ListQuery, client_id: str, options: ReadOptions
) -> Page:
    # Parse before taking the lock: a bad query fails without blocking anyone.
    predicate = None if query.where is None else compile_where(query.where, resource.schema)
    order = None if query.order is None else compile_order(query.order, resource.schema)
    tests = _filters(resource, query, client_id)
    with books.lock:
        records = [r for r in resource.table(books).values() if all(t(r) for t in tests)]
        if predicate is not None or order is not None:
            row = resource.row
            rows = [(row(books, r) if row else r, r) for r in records]
            if predicate is not None:
                rows = [pair for pair in rows if predicate(pair[0])]
            if order is not None:
                by_row = {id(view): record for view, record in rows}
                records = [by_row[id(view)] for view in sort_rows([v for v, _ in rows], order)]
            else:
                records = [record for _, record in rows]
        pagination = None
        if resource.paged:
            total = len(records)
            start = (query.page - 1) * query.page_size
            records = records[start : start + query.page_size]
            pagination = {
                "page": query.page,
                "pageSize": query.page_size,
                "pageCount": math.ceil(total / query.page_size),
                "itemCount": total,
            }
        related = resource.related(books, records, options.today)
    return Page(records, related, pagination)
