"""A clock the tests can move forward, so lifetimes and rate windows are testable without
sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """UTC time plus an adjustable offset.

    By default it follows real time, so tokens minted by the emulator carry realistic
    ``exp`` claims for clients that compare them with their own clock. Pass
    ``frozen_at`` to pin it (plus any advances) for fully deterministic tests.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        if frozen_at is not None and frozen_at.tzinfo is None:
            raise ValueError("frozen_at must be timezone-aware")
        self._frozen_at = frozen_at
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return (base + offset).astimezone(UTC)

    def advance(self, seconds: float) -> datetime:
        """Jump forward; backwards is refused because expiry logic assumes time only grows."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()
