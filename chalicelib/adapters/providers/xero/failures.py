"""Xero's answers, read in Xero's terms: why a record was refused, which limit is near.

Xero words its refusals in `ValidationErrors[].Message` without a code, so the texts
below are the ones Xero is documented (spec examples) or observed to use.
"""

from __future__ import annotations

import re

import requests

from chalicelib.domain.accounting import RateBudget
from chalicelib.domain.app_profile import WriteFailure

# First match wins: a refusal naming a taken number is that, whatever else it says.
_REASONS: tuple[tuple[re.Pattern[str], WriteFailure], ...] = (
    # "Invoice # must be unique." / "Another contact has this contact number..." /
    # "Price List Item with Code 'X' already exists" (an item's code is its number)
    (
        re.compile(
            r"# must be unique|has this contact number|Item with Code .* already exists", re.I
        ),
        WriteFailure.NUMBER_TAKEN,
    ),
    # "The contact name X is already assigned to another contact. ..."
    (re.compile(r"already assigned to another contact", re.I), WriteFailure.NAME_TAKEN),
    # "... cannot be before the period lock date" / "... end of year lock date"
    (re.compile(r"lock date|locked period", re.I), WriteFailure.LOCKED_PERIOD),
    # "Account code 'X' has been archived, or has been deleted." / archived contacts, tax
    (
        re.compile(r"has been archived|is archived|archived contact", re.I),
        WriteFailure.ARCHIVED_REFERENCE,
    ),
    # "This document cannot be edited as it has a payment or credit note allocated to it."
    # (also Xero's answer to voiding an invoice that has payments)
    (re.compile(r"has a payment or credit note allocated", re.I), WriteFailure.HAS_PAYMENTS),
    # "Invoice not of valid status for modification"
    (
        re.compile(r"not of valid status for modification|cannot be edited", re.I),
        WriteFailure.NOT_EDITABLE,
    ),
    # "Invoice could not be found" / "The contact with the specified ContactID could not be found."
    (re.compile(r"could not be found", re.I), WriteFailure.NOT_FOUND),
)

MINUTE_SECONDS = 60.0
# Xero's day window is rolling and its headers do not say when it frees a call: look
# again in an hour (a 429 then carries Xero's own Retry-After).
DAY_RECHECK_SECONDS = 3600.0


def write_failure(messages: list[str]) -> WriteFailure:
    """The typed reason for one refused element, from its validation messages."""
    if not messages:
        return WriteFailure.UNKNOWN
    for pattern, reason in _REASONS:
        if any(pattern.search(message) for message in messages):
            return reason
    return WriteFailure.INVALID


def rate_limit_problem(response: requests.Response) -> str:
    """Which limit a 429 hit: Xero says `minute`, `appminute`, `day` or `concurrent`."""
    return response.headers.get("X-Rate-Limit-Problem") or "unknown"


def _int_header(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def rate_budget(response: requests.Response) -> RateBudget | None:
    """The nearest of Xero's windows from its `X-*Limit-Remaining` headers; None if the
    answer carried none (e.g. an error from in front of the API)."""
    windows = [
        (remaining, refill)
        for remaining, refill in (
            (_int_header(response, "X-MinLimit-Remaining"), MINUTE_SECONDS),
            (_int_header(response, "X-AppMinLimit-Remaining"), MINUTE_SECONDS),
            (_int_header(response, "X-DayLimit-Remaining"), DAY_RECHECK_SECONDS),
        )
        if remaining is not None
    ]
    if not windows:
        return None
    # Fewest calls left; on a tie, the window that takes longer to refill.
    calls_left, refill = min(windows, key=lambda window: (window[0], -window[1]))
    return RateBudget(calls_left=calls_left, refill_seconds=refill)
