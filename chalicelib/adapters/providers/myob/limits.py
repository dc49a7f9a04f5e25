"""MYOB's per-key limits, kept on this side: 8 calls a second and 1,000,000 a day per
API key, across every company file, token and Lambda (MYOB staff, community 693742).

Every API call first takes one call from the key's budget, which every Lambda shares
(one DynamoDB item, `chalicelib/adapters/call_budget_store.py`). A short wait (a
fraction of a second) is slept through; a longer one (the day's cap, or many jobs at
once) becomes the core's `RateLimited`, so the job defers instead of holding a Lambda. A
refusal from MYOB itself empties the budget this adapter reports.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from chalicelib.domain.accounting import RateBudget
from chalicelib.domain.call_budget import CallRate
from chalicelib.domain.errors import RateLimited

PER_SECOND_LIMIT = 8  # MYOB's, per API key
# The shared budget's pace: a GCRA grants at most burst + rate x L calls in any L
# seconds, so 6 a second with a burst of 1 grants at most 7 in a rolling second; the
# eighth is headroom for a call that leaves late after its grant (a busy Lambda), which
# at 7 a second was seen to squeeze 9 arrivals into MYOB's second.
SHARED_PER_SECOND = 6.0
SHARED_BURST = 1
# MYOB counts a rolling day; the shared budget counts calendar (UTC) days. Two calendar
# days' worth always covers any rolling 24 hours, so each day takes half MYOB's cap.
DAILY_LIMIT = 1_000_000
SHARED_PER_DAY = DAILY_LIMIT // 2
SHARED_RATE = CallRate(per_second=SHARED_PER_SECOND, burst=SHARED_BURST, per_day=SHARED_PER_DAY)
# Waits up to this are slept through; longer ones defer the job.
MAX_PACE_SECONDS = 0.5
# A call that has waited this long in all (other Lambdas kept taking its turn) defers.
MAX_CALL_WAIT_SECONDS = 2.0
# After MYOB refuses a call: its per-second window has passed after a second; the
# daily cap gives no time, so an hour is waited before trying again.
PER_SECOND_WAIT = 1.0
DAILY_WAIT = 3600.0

Take = Callable[[], float]
"""Take one call from a budget: 0.0 when granted, else seconds until it could be."""


def budget_name(api_key: str) -> str:
    """The shared budget's name: per API key (MYOB's limit), without the key in clear."""
    return "myob-" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


class Pacer:
    """Keeps one adapter's calls within the key's budget, and says what is left."""

    def __init__(
        self,
        take: Take,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.monotonic,
        max_wait: float = MAX_PACE_SECONDS,
    ) -> None:
        self._take = take
        self._sleep = sleep
        self._now = now
        self._max_wait = max_wait
        self._blocked_until = 0.0
        self.slept = 0.0  # seconds spent waiting for the budget, for the bench

    def before_call(self) -> None:
        waited = 0.0
        while True:
            wait = self._take()
            if wait <= 0:
                return
            if wait > self._max_wait or waited + wait > MAX_CALL_WAIT_SECONDS:
                self.refused(wait)
                problem = "daily" if wait > 60 else "per-second"
                raise RateLimited(
                    f"MYOB Business's {problem} rate limit for this API key is spent.",
                    retry_after_seconds=wait,
                    problem=problem,
                )
            waited += wait
            self.slept += wait
            self._sleep(wait)

    def refused(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._now() + seconds)

    def budget(self) -> RateBudget:
        left = self._blocked_until - self._now()
        if left > 0:
            return RateBudget(calls_left=0, refill_seconds=left)
        return RateBudget()
