"""What every provider adapter shares about talking HTTP to an app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from chalicelib.domain.errors import ProviderUnavailable
from chalicelib.observability import logger


def parse_retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def send(
    app_name: str,
    operation: str,
    call: Callable[..., requests.Response],
    url: str,
    **options: Any,
) -> requests.Response:
    """One request with the adapter's timeout; network failures become ProviderUnavailable.

    Only the operation and status are logged: bodies and headers carry tokens.
    """
    try:
        response = call(url, **options)
    except requests.Timeout as error:
        logger.warning("provider call timed out", extra={"app": app_name, "operation": operation})
        raise ProviderUnavailable(f"{app_name} did not answer in time; try again.") from error
    except requests.RequestException as error:
        logger.warning("provider call failed", extra={"app": app_name, "operation": operation})
        raise ProviderUnavailable(f"{app_name} could not be reached; try again.") from error
    logger.info(
        "provider call",
        extra={"app": app_name, "operation": operation, "http_status": response.status_code},
    )
    if response.status_code == 429 or response.status_code >= 500:
        raise ProviderUnavailable(
            f"{app_name} is unavailable right now (HTTP {response.status_code}); try again.",
            retry_after_seconds=parse_retry_after(response),
        )
    return response
