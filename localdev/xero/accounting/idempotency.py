"""`Idempotency-Key` on PUT/POST, as Xero keeps it.

A key is remembered for 6 minutes (emulator clock) from its first use, per
connection (tenant + app). A repeat of the same request replays the first answer,
status and body byte for byte, including error answers; the same key with a
different request is refused with 400; a repeat that arrives while the first is
still running waits for it (the kit's store does all of that). Keys longer than 128
characters are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Response

from localdev.emukit import (
    Clock,
    IdempotencyStore,
    KeyReused,
    canonical_json,
    every_answer,
    fingerprint,
)
from localdev.xero.accounting.problems import request_invalid

KEY_LIFETIME = timedelta(minutes=6)
MAX_KEY_LENGTH = 128


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same" to Xero: method, path (any case), query and
    JSON body (key order and whitespace do not matter)."""
    return fingerprint(method.upper(), path.casefold(), query, canonical_json(body))


class XeroIdempotency:
    """Xero's key rules around the kit's store."""

    def __init__(self, clock: Clock) -> None:
        self._store = IdempotencyStore(clock, KEY_LIFETIME, keeps=every_answer)

    def run(
        self,
        connection: tuple[str, str],
        key: str,
        request_print: str,
        handler: Callable[[], Response],
    ) -> Response:
        if len(key) > MAX_KEY_LENGTH:
            raise request_invalid(
                f"The Idempotency-Key header must be at most {MAX_KEY_LENGTH} characters."
            )
        try:
            return self._store.run(connection, key, request_print, handler)
        except KeyReused as reused:
            raise request_invalid(
                f"The Idempotency-Key '{key}' has already been used for a different "
                "request in the last 6 minutes. Use a new key for a new request."
            ) from reused

    def clear(self) -> None:
        self._store.clear()
