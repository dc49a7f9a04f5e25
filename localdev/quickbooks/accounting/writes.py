"""Create, update (full or sparse), delete and void, the same way for every entity.

An entity module supplies an `EntityKind`: the fields its requests may carry (Intuit's
schema), which of them the API computes (read-only), how a body becomes a complete
record (`build`: references and rules, uniqueness included, checked before anything
is stored), and how its indexes follow a saved record (`index`, `unindex`). This
module holds what QuickBooks does alike for all of them: Id + SyncToken on updates
(a stale one is 5010), unknown properties refused (2010), read-only ones ignored,
sparse updates keeping what the body leaves out, full updates clearing it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localdev.quickbooks.accounting import faults
from localdev.quickbooks.accounting.books import Books, Record
from localdev.quickbooks.accounting.schema import ENTITY_KINDS
from localdev.quickbooks.accounting.values import check_kinds

# What every entity's body may carry (IntuitEntity's elements and attributes).
ENTITY_FIELDS = frozenset(ENTITY_KINDS)
# Kept by the API whatever a body says.
SYSTEM_FIELDS = ("Id", "SyncToken", "MetaData", "domain", "sparse")

Build = Callable[[Books, Record, "Record | None", datetime], Record]
Hook = Callable[[Books, Record, datetime], None]
Remove = Callable[[Books, Record, datetime], None]


def _no_hook(books: Books, record: Record, now: datetime) -> None:
    return None


@dataclass(frozen=True)
class EntityKind:
    name: str
    kinds: dict[str, str]  # the entity's own schema elements (beyond ENTITY_KINDS)
    read_only: frozenset[str]
    build: Build | None  # None: the API cannot write this entity
    index: Hook = _no_hook
    unindex: Hook = _no_hook
    delete: Remove | None = None  # operation=delete, None where QuickBooks refuses it
    void: Callable[[Books, Record, datetime], None] | None = None

    @property
    def path(self) -> str:
        return self.name.lower()


def check_properties(kind: EntityKind, body: Record) -> None:
    check_kinds(body, {**ENTITY_KINDS, **kind.kinds}, kind.name)


def _writable(kind: EntityKind, body: Record) -> Record:
    return {
        key: value
        for key, value in body.items()
        if key not in kind.read_only and key not in ENTITY_FIELDS
    }


def create(kind: EntityKind, books: Books, body: Record, now: datetime) -> Record:
    if kind.build is None:
        raise faults.unsupported_operation(f"Operation create is not supported for {kind.name}")
    check_properties(kind, body)
    record = kind.build(books, _writable(kind, body), None, now)
    books.insert(kind.name, record, now)
    kind.index(books, record, now)
    return record


def current_for_update(kind: EntityKind, books: Books, body: Record) -> Record:
    """The stored record a body's Id and SyncToken name; 2020 / 610 / 5010 otherwise."""
    record_id = body.get("Id")
    if record_id in (None, ""):
        raise faults.required_missing("Id", f"{kind.name}.Id")
    sync_token = body.get("SyncToken")
    if sync_token in (None, ""):
        raise faults.required_missing("SyncToken", f"{kind.name}.SyncToken")
    current = books.table(kind.name).get(str(record_id))
    if current is None:
        raise faults.object_not_found(kind.name, str(record_id))
    if str(sync_token) != current["SyncToken"]:
        raise faults.stale_object()
    return current


def update(kind: EntityKind, books: Books, body: Record, now: datetime) -> Record:
    if kind.build is None:
        raise faults.unsupported_operation(f"Operation update is not supported for {kind.name}")
    check_properties(kind, body)
    current = current_for_update(kind, books, body)
    sparse = body.get("sparse") is True or body.get("sparse") == "true"
    if sparse:
        merged = {**_writable(kind, current), **_writable(kind, body)}
    else:
        merged = _writable(kind, body)
    record = kind.build(books, copy.deepcopy(merged), current, now)
    kind.unindex(books, current, now)
    for name in SYSTEM_FIELDS:
        if name in current:
            record[name] = current[name]
    books.touch(record, now)
    books.table(kind.name)[current["Id"]] = record
    kind.index(books, record, now)
    return record


def delete(kind: EntityKind, books: Books, body: Record, now: datetime) -> Record:
    if kind.delete is None:
        raise faults.unsupported_operation(f"Operation delete is not supported for {kind.name}")
    current = current_for_update(kind, books, body)
    kind.delete(books, current, now)
    kind.unindex(books, current, now)
    books.remove(kind.name, current["Id"], now)
    return {"status": "Deleted", "domain": "QBO", "Id": current["Id"]}


def void(kind: EntityKind, books: Books, body: Record, now: datetime) -> Record:
    if kind.void is None:
        raise faults.unsupported_operation(f"Operation void is not supported for {kind.name}")
    current = current_for_update(kind, books, body)
    kind.void(books, current, now)
    books.touch(current, now)
    return current


def require_ref(body: Record, name: str, entity: str) -> str:
    """The `value` of a ReferenceType field, or 2020 naming it."""
    ref = body.get(name)
    value = ref.get("value") if isinstance(ref, dict) else None
    if value in (None, ""):
        raise faults.required_missing(name, f"{entity}.{name}")
    return str(value)


def referenced(books: Books, entity: str, value: str, element: str) -> Record:
    """The record a reference points at: 2500 Invalid Reference Id when there is none,
    610 Object Not Found ("...has been made inactive") when it is inactive."""
    record = books.table(entity).get(value)
    if record is None:
        raise faults.invalid_reference(entity, value, element)
    if record.get("Active") is False:
        raise faults.object_not_found(entity, value)
    return record


def as_copy(record: Record) -> Any:
    return copy.deepcopy(record)
