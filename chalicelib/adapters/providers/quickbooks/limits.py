"""QuickBooks Online's rate limits, counted on this side.

Intuit sends no remaining-calls headers, so the adapter counts its own calls in
sliding one-minute windows: 500 requests per company and, of those, 40 batch
requests (limits-and-throttles page). A 429 empties the window it hit: Intuit asks
for 60 seconds before trying again.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from chalicelib.domain.accounting import RateBudget

WINDOW_SECONDS = 60.0
REQUESTS_PER_MINUTE = 500
BATCHES_PER_MINUTE = 40
# Intuit's advice after a 429, when the answer names no Retry-After.
THROTTLED_WAIT_SECONDS = 60.0


class CallWindow:
    """Calls made in the last minute against one limit."""

    def __init__(self, limit: int, now: Callable[[], float]) -> None:
        self._limit = limit
        self._now = now
        self._calls: deque[float] = deque()
        self._blocked_until = 0.0

    def record(self) -> None:
        self._calls.append(self._now())

    def exhaust(self, seconds: float) -> None:
        self._blocked_until = self._now() + seconds

    def left(self) -> int:
        now = self._now()
        if now < self._blocked_until:
            return 0
        while self._calls and now - self._calls[0] >= WINDOW_SECONDS:
            self._calls.popleft()
        return max(0, self._limit - len(self._calls))

    def refill_seconds(self) -> float:
        now = self._now()
        if now < self._blocked_until:
            return self._blocked_until - now
        return WINDOW_SECONDS - (now - self._calls[0]) if self._calls else 0.0


class RateCounter:
    """Both of a company's windows; the budget is the tighter one."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.requests = CallWindow(REQUESTS_PER_MINUTE, now)
        self.batches = CallWindow(BATCHES_PER_MINUTE, now)
        self._used = False

    def record(self, *, batch: bool) -> None:
        self._used = True
        self.requests.record()
        if batch:
            self.batches.record()

    def throttled(self, *, batch: bool, seconds: float) -> None:
        self._used = True
        (self.batches if batch else self.requests).exhaust(seconds)

    def budget(self) -> RateBudget:
        if not self._used:
            return RateBudget()
        windows = [(self.requests.left(), self.requests.refill_seconds())]
        if self.batches.left() < BATCHES_PER_MINUTE:  # only once batches are being sent
            windows.append((self.batches.left(), self.batches.refill_seconds()))
        calls_left, refill = min(windows, key=lambda window: (window[0], -window[1]))
        return RateBudget(calls_left=calls_left, refill_seconds=refill)
