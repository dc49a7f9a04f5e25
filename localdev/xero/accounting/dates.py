"""Xero's JSON date formats, and parsing of the date forms clients send.

Responses use the .NET "MS date" form: ``/Date(1539993600000+0000)/`` for record
dates and ``/Date(1552326816230)/`` for the envelope's DateTimeUTC, plus ISO-like
companion strings (``DateString``, ``UpdatedDateUTCString``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any

from localdev.xero.accounting.problems import post_data_invalid, request_invalid

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def _epoch_ms(moment: datetime | date) -> int:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def ms_date(moment: datetime | date) -> str:
    """Record dates: ``/Date(ms+0000)/`` (always UTC)."""
    return f"/Date({_epoch_ms(moment)}+0000)/"


def ms_timestamp(moment: datetime) -> str:
    """The envelope's DateTimeUTC has no offset part."""
    return f"/Date({_epoch_ms(moment)})/"


def date_string(day: date) -> str:
    return f"{day:%Y-%m-%d}T00:00:00"


def utc_string(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"


def to_millis(moment: datetime) -> datetime:
    """Drop sub-millisecond digits so a stored time equals its /Date(ms)/ round trip."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_date(value: Any) -> date:
    """A document date as clients send it: 2024-03-01, 2024-03-01T00:00:00[Z|+hh:mm]
    (the calendar date as written), or /Date(ms[+zzzz])/ (the UTC date of that
    instant). Anything else gets Xero's deserialiser error for the whole request."""
    if isinstance(value, str):
        text = value.strip()
        match = _MS_DATE.match(text)
        if match:
            return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC).date()
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise post_data_invalid(f"The string '{value}' is not a valid AllXsd value.")


def parse_if_modified_since(header: str | None) -> datetime | None:
    """If-Modified-Since as an aware UTC datetime, truncated to whole seconds.

    Accepts the HTTP date form (RFC 7231) and ISO 8601 (what the SDKs send); a value
    without an offset is taken as UTC, as Xero does.
    """
    if header is None or not header.strip():
        return None
    text = header.strip()
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            moment = None
    if moment is None:
        raise request_invalid(f"The If-Modified-Since header '{text}' is not a valid date.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
