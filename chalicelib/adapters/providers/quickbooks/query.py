"""Statements in Intuit's query language, built from values the service holds.

The grammar (api-reference "Data queries"): `select * from Entity where ... ORDERBY
... STARTPOSITION n MAXRESULTS m`, with `=`, `<`, `>`, `<=`, `>=`, `IN`, `LIKE` and
`AND` only; strings in single quotes with `\\'` for a quote in them; at most 1,000
results a page; positions count from 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

# Intuit's largest page (MAXRESULTS may not exceed 1000).
PAGE_SIZE = 1000


def quote(value: str) -> str:
    """A string literal for the query language."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def timestamp(moment: datetime) -> str:
    """A DateTime literal the way Intuit writes them: whole seconds with an offset."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat()


def start_position(page: int, page_size: int = PAGE_SIZE) -> int:
    return (page - 1) * page_size + 1


def changed_since(
    entity: str,
    since: datetime | None,
    page: int,
    *,
    conditions: Iterable[str] = (),
    page_size: int = PAGE_SIZE,
) -> str:
    """One page of an entity's records changed at or after `since`, oldest change first."""
    clauses = list(conditions)
    if since is not None:
        clauses.insert(0, f"Metadata.LastUpdatedTime >= {quote(timestamp(since))}")
    where = f" where {' AND '.join(clauses)}" if clauses else ""
    # Values reach a statement only through `quote`; entity and field names are ours.
    return (
        f"select * from {entity}{where} ORDERBY Metadata.LastUpdatedTime "  # noqa: S608
        f"STARTPOSITION {start_position(page, page_size)} MAXRESULTS {page_size}"
    )


def where_in(entity: str, field: str, values: Iterable[str], *, extra: str = "") -> str:
    """Records whose `field` is one of `values` (at most a page of them)."""
    listed = ", ".join(quote(value) for value in values)
    condition = f"{field} IN ({listed})"
    if extra:
        condition = f"{condition} AND {extra}"
    return f"select * from {entity} where {condition} MAXRESULTS {PAGE_SIZE}"  # noqa: S608


def everything(entity: str, page: int, *, conditions: Iterable[str] = ()) -> str:
    clauses = list(conditions)
    where = f" where {' AND '.join(clauses)}" if clauses else ""
    return (
        f"select * from {entity}{where} "  # noqa: S608
        f"STARTPOSITION {start_position(page)} MAXRESULTS {PAGE_SIZE}"
    )
