"""QuickBooks Online's throttles, on the emulator clock so tests never sleep.

Intuit's limits page: 500 requests per minute per company (realm), 10 requests in
flight per company and app, and for the batch endpoint 40 requests per minute per
company and app and 120 per minute per company. A request over any of them gets a
429 with Intuit's ThrottleExceeded fault and is not counted. Intuit sends no
`Retry-After` (its advice is to wait 60 seconds), so neither does the emulator.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from localdev.emukit import MINUTE, Clock, RollingWindow
from localdev.quickbooks.accounting.faults import throttled

_ENV = {
    "per_minute": "QUICKBOOKS_RATE_LIMIT_MINUTE",
    "concurrent": "QUICKBOOKS_RATE_LIMIT_CONCURRENT",
    "batch_per_minute": "QUICKBOOKS_RATE_LIMIT_BATCH_MINUTE",
    "realm_batch_per_minute": "QUICKBOOKS_RATE_LIMIT_REALM_BATCH_MINUTE",
}


@dataclass(frozen=True)
class RateLimits:
    """Intuit's production values by default; lower them to test a client's back-off."""

    per_minute: int = 500
    concurrent: int = 10
    batch_per_minute: int = 40
    realm_batch_per_minute: int = 120

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name} must be a positive whole number")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RateLimits:
        source = os.environ if environ is None else environ
        return cls(**{name: int(source[var]) for name, var in _ENV.items() if source.get(var)})

    def updated(self, changes: Mapping[str, Any]) -> RateLimits:
        unknown = set(changes) - {item.name for item in fields(self)}
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def to_json(self) -> dict[str, int]:
        return asdict(self)


Slot = tuple[str, str]  # (realm_id, client_id)


class RateLimiter:
    def __init__(self, clock: Clock, limits: RateLimits | None = None) -> None:
        self._clock = clock
        self._initial = limits or RateLimits()
        self._limits = self._initial
        self._changed = threading.Condition()
        self._realm_minute: dict[str, RollingWindow] = {}
        self._realm_batches: dict[str, RollingWindow] = {}
        self._app_batches: dict[Slot, RollingWindow] = {}
        self._in_flight: dict[Slot, int] = {}

    @property
    def limits(self) -> RateLimits:
        return self._limits

    def configure(self, **changes: int) -> RateLimits:
        with self._changed:
            self._limits = self._limits.updated(changes)
            return self._limits

    def acquire(self, slot: Slot, *, batch: bool = False) -> None:
        """Count a request in (and hold a concurrency slot), or raise Intuit's 429."""
        now = self._clock.now().timestamp()
        realm_id = slot[0]
        with self._changed:
            limits = self._limits
            minute = self._realm_minute.setdefault(realm_id, RollingWindow(MINUTE))
            realm_batches = self._realm_batches.setdefault(realm_id, RollingWindow(MINUTE))
            app_batches = self._app_batches.setdefault(slot, RollingWindow(MINUTE))
            over = (
                minute.count(now) >= limits.per_minute
                or self._in_flight.get(slot, 0) >= limits.concurrent
                or (batch and app_batches.count(now) >= limits.batch_per_minute)
                or (batch and realm_batches.count(now) >= limits.realm_batch_per_minute)
            )
            if over:
                raise throttled()
            minute.record(now)
            if batch:
                app_batches.record(now)
                realm_batches.record(now)
            self._in_flight[slot] = self._in_flight.get(slot, 0) + 1
            self._changed.notify_all()

    def release(self, slot: Slot) -> None:
        with self._changed:
            if self._in_flight.get(slot, 0) > 0:
                self._in_flight[slot] -= 1
                self._changed.notify_all()

    def in_flight(self, realm_id: str, client_id: str) -> int:
        with self._changed:
            return self._in_flight.get((realm_id, client_id), 0)

    def wait_for_in_flight(
        self, realm_id: str, client_id: str, count: int, timeout: float = 5.0
    ) -> bool:
        """Block until `count` requests of a company and app are in flight (tests hold
        them with a `delay` fault); False on timeout."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._in_flight.get((realm_id, client_id), 0) >= count, timeout
            )

    def usage(self) -> dict[str, Any]:
        now = self._clock.now().timestamp()
        with self._changed:
            return {
                "limits": self._limits.to_json(),
                "realms": {
                    realm: {
                        "lastMinute": window.count(now),
                        "batchesLastMinute": self._realm_batches.get(
                            realm, RollingWindow(MINUTE)
                        ).count(now),
                    }
                    for realm, window in self._realm_minute.items()
                },
                "inFlight": [
                    {"realmId": realm, "clientId": client, "inFlight": count}
                    for (realm, client), count in self._in_flight.items()
                ],
            }

    def reset(self) -> None:
        with self._changed:
            self._limits = self._initial
            self._realm_minute.clear()
            self._realm_batches.clear()
            self._app_batches.clear()
            self._in_flight.clear()
            self._changed.notify_all()
