"""MYOB's per-API-key limits: 8 calls a second and 1,000,000 a day by default, shared by
every company file and token of the key.

A refused call spends the budget too (stricter: MYOB does not say), so a client that
retries at once stays refused; one that waits for the second to pass gets through."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from localdev.emukit import DAY, Clock, RollingWindow
from localdev.myob.errors import rate_limited


@dataclass(frozen=True)
class MyobLimits:
    per_second: int = 8
    per_day: int = 1_000_000

    def __post_init__(self) -> None:
        if self.per_second < 1 or self.per_day < 1:
            raise ValueError("limits must be at least 1")

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def limits_from_environment(env: Mapping[str, str]) -> MyobLimits:
    """MYOB_RATE_LIMIT_SECOND / MYOB_RATE_LIMIT_DAY, MYOB's defaults otherwise."""
    defaults = MyobLimits()
    return MyobLimits(
        per_second=int(env.get("MYOB_RATE_LIMIT_SECOND") or defaults.per_second),
        per_day=int(env.get("MYOB_RATE_LIMIT_DAY") or defaults.per_day),
    )


class _KeyWindows:
    def __init__(self) -> None:
        self.second = RollingWindow(1.0)
        # Rolling, not a calendar day: never lets a burst through at midnight (stricter).
        self.day = RollingWindow(DAY)


class RateLimiter:
    def __init__(self, limits: MyobLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._keys: dict[str, _KeyWindows] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def admit(self, api_key: str) -> None:
        """Count one call for the key, or raise MYOB's RateLimitError (403)."""
        now = self._clock.now().timestamp()
        with self._lock:
            windows = self._keys.setdefault(api_key, _KeyWindows())
            over_day = windows.day.count(now) >= self.limits.per_day
            over_second = windows.second.count(now) >= self.limits.per_second
            windows.second.record(now)
            windows.day.record(now)
            if over_day or over_second:
                self.refused += 1
                raise rate_limited("daily" if over_day else "per-second")

    def set_limits(self, limits: MyobLimits) -> None:
        with self._lock:
            self.limits = limits

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()
            self.refused = 0
