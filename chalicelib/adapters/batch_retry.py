"""Resending what a DynamoDB batch call left unprocessed, with backoff, then giving up.

DynamoDB hands back `UnprocessedItems`/`UnprocessedKeys` when it throttles; resending
them at once only spins until the Lambda times out. Each resend waits a jittered,
capped, exponentially growing delay, and after a few the caller gets `StoreThrottled`,
which the worker turns into a deferral and the API into a 503.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import TemporarilyUnavailable

# What a deferred job or an API client should wait before trying again.
RETRY_AFTER_SECONDS = 30


class StoreThrottled(TemporarilyUnavailable):
    """DynamoDB kept part of a batch unprocessed after every resend."""

    def __init__(self) -> None:
        super().__init__(
            "The database is throttling requests; try again shortly.", RETRY_AFTER_SECONDS
        )


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential waits: a random share of min(cap, base * 2**n)."""

    attempts: int = 6
    base_seconds: float = 0.1
    cap_seconds: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random

    def waits(self) -> Iterator[float]:
        """The wait before each resend; there are `attempts - 1` of them."""
        for resend in range(self.attempts - 1):
            yield self.random() * min(self.cap_seconds, self.base_seconds * 2**resend)


def until_processed(
    call: Callable[[dict[str, Any]], dict[str, Any]],
    request: dict[str, Any],
    leftover_key: str,
    backoff: Backoff,
) -> Iterator[dict[str, Any]]:
    """Each response of `call(request_items)`, resending its `leftover_key` part
    after a wait until nothing is left; `StoreThrottled` when the waits run out."""
    waits = backoff.waits()
    while request:
        response = call(request)
        yield response
        request = response.get(leftover_key) or {}
        if request:
            wait = next(waits, None)
            if wait is None:
                raise StoreThrottled()
            backoff.sleep(wait)
