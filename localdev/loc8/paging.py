"""Keyset paging over (updated_at, id), with the position in an opaque cursor.

Starting each page strictly after the last record returned means pages never overlap
or leave gaps, and a record changed mid-pass moves to the end instead of shifting
the others (which offset paging would do, skipping or repeating records).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from localdev.loc8.models import Stamped
from localdev.loc8.problems import bad_request

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

R = TypeVar("R", bound=Stamped)


def encode_cursor(kind: str, record: Stamped) -> str:
    position = {"k": kind, "u": record.updated_at.isoformat(), "i": record.id}
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if position["k"] != kind:
            raise ValueError("cursor of another list")
        moment = datetime.fromisoformat(position["u"])
        if moment.tzinfo is None or not isinstance(position["i"], str):
            raise ValueError("malformed position")
        return moment, position["i"]
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise bad_request("The cursor is not one this list gave out.", "cursor") from error


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}.", "limit")
    return int(raw)


def parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise bad_request(
            "updated_since must be an RFC 3339 date-time such as 2026-11-25T12:00:00Z.",
            "updated_since",
        ) from error
    if moment.tzinfo is None:
        raise bad_request("updated_since must carry a UTC offset (e.g. Z).", "updated_since")
    return moment


def page(
    kind: str,
    records: Iterable[R],
    *,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[R], str | None]:
    """The next `limit` records in (updated_at, id) order and the cursor after them."""
    ordered = sorted(records, key=lambda record: (record.updated_at, record.id))
    if cursor:
        after = decode_cursor(kind, cursor)
        remaining = [r for r in ordered if (r.updated_at, r.id) > after]
    elif since is not None:
        remaining = [r for r in ordered if r.updated_at >= since]
    else:
        remaining = ordered
    chosen = remaining[:limit]
    more = len(remaining) > limit
    return chosen, encode_cursor(kind, chosen[-1]) if more else None
