"""Dates as QuickBooks takes and gives them: `YYYY-MM-DD` in the company's own zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from localdev.quickbooks.accounting import faults
from localdev.quickbooks.accounting.books import Books


def local_date(books: Books, now: datetime) -> str:
    return now.astimezone(books.zone).date().isoformat()


def check_date(value: Any, element: str) -> str:
    """A date element, else Intuit's 2070 Invalid Date."""
    try:
        return (
            date.fromisoformat(str(value)[:10]).isoformat()
            if len(str(value)) == 10
            else _bad(value, element)
        )
    except ValueError:
        return _bad(value, element)


def _bad(value: Any, element: str) -> str:
    raise faults.QuickBooksFault(
        400,
        [
            faults.ErrorDetail(
                "2070", "Invalid Date", f"Invalid Date : {element} : {value}", element
            )
        ],
    )
