"""What every provider adapter shares about talking HTTP to an app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from chalicelib.observability import logger


def parse_retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def unnamed_limit(_response: requests.Response) -> str:
    return "unknown"


def send(
    app_name: str,
    operation: str,
    session: requests.Session,
    method: str,
    url: str,
    *,
    rate_limit_problem: Callable[[requests.Response], str] = unnamed_limit,
    **options: Any,
) -> requests.Response:
    """One request with the caller's timeout; outages and rate limits become typed errors.

    `rate_limit_problem` names the limit a 429 hit (minute, day...), read by the
    provider from its own answer. Only the operation and status are logged: bodies
    and headers carry tokens.
    """
    context = {"app": app_name, "operation": operation}
    try:
        response = session.request(method, url, **options)
    except requests.Timeout as error:
        logger.warning("provider call timed out", extra=context)
        raise ProviderUnavailable(f"{app_name} did not answer in time; try again.") from error
    except requests.RequestException as error:
        logger.warning("provider call failed", extra=context)
        raise ProviderUnavailable(f"{app_name} could not be reached; try again.") from error
    logger.info("provider call", extra={**context, "http_status": response.status_code})
    if response.status_code == 429:
        problem = rate_limit_problem(response)
        raise RateLimited(
            f"{app_name}'s {problem} rate limit was reached.",
            retry_after_seconds=parse_retry_after(response),
            problem=problem,
        )
    if response.status_code >= 500:
        raise ProviderUnavailable(
            f"{app_name} is unavailable right now (HTTP {response.status_code}); try again.",
            retry_after_seconds=parse_retry_after(response),
        )
    return response
