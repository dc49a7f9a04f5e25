"""Rolling rate-limit windows on the emulator clock, so tests never sleep.

A window holds the moments of the requests it accepted within the last ``length``
seconds. A service's rate limiter keeps one per limit it enforces (per minute, per
day, per app...) and decides which to check first; the window only counts.
"""

from __future__ import annotations

import math
from collections import deque

MINUTE = 60.0
DAY = 86_400.0


class RollingWindow:
    """Not thread-safe: the limiter that owns it holds its own lock."""

    def __init__(self, length_seconds: float) -> None:
        if length_seconds <= 0:
            raise ValueError("a window must be longer than zero seconds")
        self.length = length_seconds
        self._moments: deque[float] = deque()

    def count(self, now: float) -> int:
        """Requests accepted within the last ``length`` seconds before ``now``."""
        self._expire(now)
        return len(self._moments)

    def record(self, now: float) -> None:
        self._moments.append(now)

    def seconds_until_free(self, now: float) -> int:
        """Whole seconds until the oldest request leaves the window (at least 1), the
        value a service puts in `Retry-After` when the window is full."""
        self._expire(now)
        if not self._moments:
            return 1
        return max(1, math.ceil(self._moments[0] + self.length - now))

    def _expire(self, now: float) -> None:
        while self._moments and self._moments[0] <= now - self.length:
            self._moments.popleft()
