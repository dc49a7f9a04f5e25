"""An organisation's whole accounting state in Xero's JSON shapes (test read-back)."""

from __future__ import annotations

from datetime import date
from typing import Any

from localdev.xero.accounting.books import Books
from localdev.xero.accounting.records import plain
from localdev.xero.accounting.resources import ALL, ReadOptions


def organisation_state(books: Books, today: date) -> dict[str, Any]:
    options = ReadOptions(today=today, unitdp=4)
    state: dict[str, Any] = {"Organisation": plain(books.organisation)}
    with books.lock:
        snapshots = []
        for resource in ALL:
            records = list(resource.table(books).values())
            snapshots.append((resource, records, resource.related(books, records, today)))
    for resource, records, related in snapshots:
        state[resource.name] = [resource.render(record, related, options) for record in records]
    return state
