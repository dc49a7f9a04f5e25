"""A call rate every worker shares: the generic cell rate algorithm (GCRA), as pure rules.

An app that limits calls per API key (not per organisation) limits all of this
service's Lambdas together, so they draw from one budget. Its state is one number, the
theoretical arrival time (TAT): when the budget would be back to full had nobody called
since. Taking `n` calls moves it `n` intervals later; the take is refused while that
would put it more than `burst` intervals ahead of now. In any span of `L` seconds at
most `burst + per_second * L` calls are granted, so a rolling one-second limit of N
holds with `burst + per_second <= N`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CallRate:
    per_second: float
    # Calls that may go at once after a quiet spell.
    burst: int
    # A calendar-day (UTC) cap on top, where the app has one.
    per_day: int | None = None

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("A call rate needs a positive rate and a burst of at least 1.")

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=1 / self.per_second)


@dataclass(frozen=True)
class Take:
    # The new theoretical arrival time when granted; None when refused.
    granted_until: datetime | None
    # Refused: how long until the same take would be granted.
    wait_seconds: float


def take(arrival: datetime | None, now: datetime, calls: int, rate: CallRate) -> Take:
    """Grant `calls` now or say how long to wait; a refusal takes nothing."""
    if calls < 1 or calls > rate.burst:
        raise ValueError(f"Take between 1 and {rate.burst} calls at a time.")
    start = max(arrival, now) if arrival is not None else now
    after = start + rate.interval * calls
    ahead = after - now
    allowed = rate.interval * rate.burst
    if ahead <= allowed:
        return Take(granted_until=after, wait_seconds=0.0)
    return Take(granted_until=None, wait_seconds=(ahead - allowed).total_seconds())


def seconds_to_next_day(now: datetime) -> float:
    """Until the next UTC midnight, when a daily cap starts again."""
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()
