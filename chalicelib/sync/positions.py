"""Resumable positions of a pass, kept as small JSON documents in the cursor store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.sync.framework import SyncContext


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
