"""How much one GET may ask of Xero: its front end refuses a long URL.

Xero answers a URL longer than about 2,090 characters with a 404 "The resource you're
looking for cannot be found" (XeroAPI issue threads: Xero-NetStandard #471, Xero-OpenAPI
#534, xero-node #404 - 52 GUIDs in IDs= taken, 53 refused), and a Xero developer advises
at most about 50 IDs per call (Xero-Net #389). Reads that name many records are split so
every call stays within both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

import requests

MAX_URL_LENGTH = 2048
MAX_IDS = 50

T = TypeVar("T")


def url_length(url: str, params: Mapping[str, str]) -> int:
    """The URL exactly as `requests` will send it (query percent-encoded)."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, dict(params))
    return len(prepared.url or "")


def fits(url: str, params: Mapping[str, str]) -> bool:
    return url_length(url, params) <= MAX_URL_LENGTH


def batches(values: Sequence[T], accepts: Callable[[list[T]], bool]) -> Iterator[list[T]]:
    """Consecutive runs of `values`, each as long as `accepts` allows. A value `accepts`
    refuses even alone still goes alone: Xero then says why."""
    batch: list[T] = []
    for value in values:
        if batch and not accepts([*batch, value]):
            yield batch
            batch = []
        batch.append(value)
    if batch:
        yield batch
