"""Retries for Loc8 core calls, done by urllib3 under the pooled requests Session.

Every call this client sends is safe to repeat (reads, and writes that carry an
Idempotency-Key), so any method may be retried after a connection error, a timeout,
429 or 5xx. Waits are short and capped: a Lambda must not sleep through its budget,
so a `Retry-After` longer than the limit is handed back to the caller (as
`Loc8Unavailable.retry_after_seconds`) for the job queue to wait instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff_factor: float = 0.5
    backoff_max_seconds: float = 4.0
    retry_after_limit_seconds: float = 5.0
    jitter_seconds: float = 0.25
    pool_maxsize: int = 10


class CappedRetry(Retry):
    """urllib3's Retry, except that a long Retry-After ends the retries instead of a sleep.

    `sleeper` replaces time.sleep so tests can see the waits without spending them.
    """

    def __init__(
        self,
        *args: Any,
        retry_after_limit: float = 5.0,
        sleeper: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_limit = retry_after_limit
        self.sleeper = sleeper

    def new(self, **kw: Any) -> Self:
        # urllib3 builds a fresh Retry per attempt through new(); carry our settings over.
        kw.setdefault("retry_after_limit", self.retry_after_limit)
        kw.setdefault("sleeper", self.sleeper)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        wait = self._retry_after(response)
        if wait is not None and wait > self.retry_after_limit:
            # With raise_on_status=False urllib3 hands this response back to requests.
            reason = ResponseError(f"Retry-After {wait:.0f}s is longer than this call may wait")
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = self._retry_after(response)
        if wait is None:
            wait = self.get_backoff_time()
        if wait > 0:
            self.sleeper(wait)

    def _retry_after(self, response: BaseHTTPResponse | None) -> float | None:
        if response is None or not self.respect_retry_after_header:
            return None
        try:
            return self.get_retry_after(response)
        except InvalidHeader:
            return None


def retrying_adapter(
    policy: RetryPolicy, sleeper: Callable[[float], None] = time.sleep
) -> HTTPAdapter:
    retry = CappedRetry(
        total=policy.max_retries,
        connect=policy.max_retries,
        read=policy.max_retries,
        status=policy.max_retries,
        other=0,
        allowed_methods=None,  # every method: writes carry an Idempotency-Key
        status_forcelist=RETRY_STATUSES,
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max_seconds,
        backoff_jitter=policy.jitter_seconds,
        respect_retry_after_header=True,
        raise_on_status=False,
        retry_after_limit=policy.retry_after_limit_seconds,
        sleeper=sleeper,
    )
    return HTTPAdapter(pool_connections=1, pool_maxsize=policy.pool_maxsize, max_retries=retry)


def mount_retries(
    session: requests.Session,
    base_url: str,
    policy: RetryPolicy,
    sleeper: Callable[[float], None] = time.sleep,
) -> None:
    """Retry calls under `base_url` only; other users of the session are unaffected."""
    session.mount(base_url.rstrip("/") + "/", retrying_adapter(policy, sleeper))
