"""Xero's API rate limits, on the emulator clock so tests never sleep.

Per connection (tenant + app): 5 requests in flight, 60 per rolling minute, 5,000 per
rolling day; per app: 10,000 per rolling minute across all tenants. A request over a
limit is refused with 429, `Retry-After` (seconds until the window frees a slot) and
`X-Rate-Limit-Problem`, and does not count. Every Accounting response carries the
`X-*Limit-Remaining` headers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from localdev.emukit import DAY, MINUTE, Clock, RollingWindow
from localdev.xero.accounting.problems import rate_limited

ConnectionKey = tuple[str, str]  # (tenant_id, client_id)

_ENV = {
    "concurrent": "XERO_RATE_LIMIT_CONCURRENT",
    "per_minute": "XERO_RATE_LIMIT_MINUTE",
    "per_day": "XERO_RATE_LIMIT_DAY",
    "app_per_minute": "XERO_RATE_LIMIT_APP_MINUTE",
}


@dataclass(frozen=True)
class RateLimits:
    """Xero's real values by default; lower them to test a client's back-off."""

    concurrent: int = 5
    per_minute: int = 60
    per_day: int = 5000
    app_per_minute: int = 10_000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name} must be a positive whole number")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RateLimits:
        values = {name: int(environ[var]) for name, var in _ENV.items() if environ.get(var)}
        return cls(**values)

    def updated(self, changes: Mapping[str, Any]) -> RateLimits:
        unknown = set(changes) - {item.name for item in fields(self)}
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def to_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Remaining:
    day: int
    minute: int
    app_minute: int

    def headers(self) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(self.day, 0)),
            "X-MinLimit-Remaining": str(max(self.minute, 0)),
            "X-AppMinLimit-Remaining": str(max(self.app_minute, 0)),
        }


@dataclass
class _Connection:
    in_flight: int = 0
    minute: RollingWindow = field(default_factory=lambda: RollingWindow(MINUTE))
    day: RollingWindow = field(default_factory=lambda: RollingWindow(DAY))


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self._initial = limits
        self._limits = limits
        self._clock = clock
        self._connections: dict[ConnectionKey, _Connection] = {}
        self._app: dict[str, RollingWindow] = {}
        self._changed = threading.Condition()

    @property
    def limits(self) -> RateLimits:
        return self._limits

    def configure(self, **changes: int) -> RateLimits:
        with self._changed:
            self._limits = self._limits.updated(changes)
            return self._limits

    def acquire(self, key: ConnectionKey) -> Remaining:
        """Count a request in, or raise the 429 Xero would answer."""
        now = self._clock.now().timestamp()
        limits = self._limits
        with self._changed:
            connection = self._connections.setdefault(key, _Connection())
            app = self._app.setdefault(key[1], RollingWindow(MINUTE))
            remaining = Remaining(
                day=limits.per_day - connection.day.count(now),
                minute=limits.per_minute - connection.minute.count(now),
                app_minute=limits.app_per_minute - app.count(now),
            )
            problem: tuple[str, int] | None = None
            if remaining.day <= 0:
                problem = ("day", connection.day.seconds_until_free(now))
            elif remaining.app_minute <= 0:
                problem = ("appminute", app.seconds_until_free(now))
            elif remaining.minute <= 0:
                problem = ("minute", connection.minute.seconds_until_free(now))
            elif connection.in_flight >= limits.concurrent:
                problem = ("concurrent", 1)
            if problem is not None:
                error = rate_limited(*problem)
                error.headers.update(remaining.headers())
                raise error
            connection.in_flight += 1
            connection.minute.record(now)
            connection.day.record(now)
            app.record(now)
            self._changed.notify_all()
            return Remaining(remaining.day - 1, remaining.minute - 1, remaining.app_minute - 1)

    def release(self, key: ConnectionKey) -> None:
        with self._changed:
            connection = self._connections.get(key)
            if connection is not None and connection.in_flight > 0:
                connection.in_flight -= 1
                self._changed.notify_all()

    def in_flight(self, tenant_id: str, client_id: str) -> int:
        with self._changed:
            connection = self._connections.get((tenant_id, client_id))
            return 0 if connection is None else connection.in_flight

    def wait_for_in_flight(
        self, tenant_id: str, client_id: str, count: int, timeout: float = 5.0
    ) -> bool:
        """Block until `count` requests of a connection are in flight (for tests that
        hold requests open with a `delay` fault); False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.in_flight(tenant_id, client_id) >= count, timeout
            )

    def usage(self) -> dict[str, Any]:
        now = self._clock.now().timestamp()
        with self._changed:
            connections = []
            for (tenant_id, client_id), connection in self._connections.items():
                connections.append(
                    {
                        "tenantId": tenant_id,
                        "clientId": client_id,
                        "inFlight": connection.in_flight,
                        "lastMinute": connection.minute.count(now),
                        "lastDay": connection.day.count(now),
                    }
                )
            return {"limits": self._limits.to_json(), "connections": connections}

    def reset(self) -> None:
        """Counters cleared and limits back to what the emulator was started with."""
        with self._changed:
            self._limits = self._initial
            self._connections.clear()
            self._app.clear()
            self._changed.notify_all()


def limits_from_environment(environ: Mapping[str, str] | None = None) -> RateLimits:
    return RateLimits.from_env(os.environ if environ is None else environ)
