"""Resumable positions of a pass, kept as small JSON documents in the cursor store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.sync.framework import DomainSyncer, SyncContext


def load_position(context: SyncContext, name: str) -> dict[str, Any]:
    raw = context.cursor(name)
    return json.loads(raw) if raw else {}


def save_position(context: SyncContext, name: str, position: dict[str, Any]) -> None:
    context.save_cursor(name, json.dumps(position, sort_keys=True))


def since_of(position: dict[str, Any]) -> datetime | None:
    value = position.get("since")
    return datetime.fromisoformat(str(value)) if value else None


def later(high_water: str | None, moment: datetime | None) -> str | None:
    """The newer of a saved high-water mark and a record's change time, as ISO text."""
    if moment is None:
        return high_water
    candidate = moment.isoformat()
    return candidate if high_water is None or candidate > high_water else high_water


# The app filters changes to the second. If the newest change seen was already this
# far in the past when it was read, every write stamped with that second had landed
# before the read (allowing for clock skew), so the next pass can start one second
# later instead of re-reading the whole second. Decided at read time, never later: a
# write in the same second as the read must be seen by the next pass.
SETTLED_AFTER = timedelta(seconds=60)


def next_since(high_water: str | None, read_at: datetime) -> str:
    """Where the next pass over the app's changes starts, given the newest change seen
    and when the pass read it.

    By the same rule, nothing stamped before the settled point (a minute before the
    read) can still land, so a quiet pass moves its start up to there: the next read
    asks only for recent changes, which keeps it small and inside apps' change feeds
    that look back a limited time."""
    settled = (read_at - SETTLED_AFTER).replace(microsecond=0)
    if high_water is None:
        return settled.isoformat()
    newest = datetime.fromisoformat(high_water)
    if read_at - newest > SETTLED_AFTER:
        return max(newest.replace(microsecond=0) + timedelta(seconds=1), settled).isoformat()
    return high_water


def earliest_app_start(context: SyncContext, syncers: Sequence[DomainSyncer]) -> datetime | None:
    """Where the earliest of these syncers' passes over the app's changes starts; None
    when one starts from the beginning (or none reads the app)."""
    starts = [
        since_of(load_position(context, name))
        for syncer in syncers
        for name in syncer.app_positions
    ]
    if not starts or any(start is None for start in starts):
        return None
    return min(start for start in starts if start is not None)
