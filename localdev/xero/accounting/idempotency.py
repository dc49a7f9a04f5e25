"""`Idempotency-Key` on PUT/POST, as Xero keeps it.

A key is remembered for 6 minutes (emulator clock) from its first use, per
connection (tenant + app). A repeat of the same request replays the first answer,
status and body byte for byte, including error answers; the same key with a
different request is refused with 400; a repeat that arrives while the first is
still running waits for it. Keys longer than 128 characters are refused.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Response

from localdev.xero.accounting.problems import request_invalid
from localdev.xero.clock import Clock

KEY_LIFETIME = timedelta(minutes=6)
MAX_KEY_LENGTH = 128
_WAIT_FOR_FIRST = 30.0  # seconds a concurrent repeat waits for the first request
_PURGE_ABOVE = 1000  # entries; expired ones are dropped once the store grows past this


@dataclass
class _Entry:
    fingerprint: str
    first_seen: datetime
    done: threading.Event = field(default_factory=threading.Event)
    status: int = 0
    body: bytes = b""
    content_type: str = ""


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same": method, path, query and JSON body (key order
    and whitespace do not matter)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.casefold().encode(), query.encode(), canonical):
        digest.update(part + b"\0")
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str, str], _Entry] = {}
        self._lock = threading.Lock()

    def run(
        self,
        scope: tuple[str, str],
        key: str,
        request_fingerprint: str,
        handler: Callable[[], Response],
    ) -> Response:
        if len(key) > MAX_KEY_LENGTH:
            raise request_invalid(
                f"The Idempotency-Key header must be at most {MAX_KEY_LENGTH} characters."
            )
        now = self._clock.now()
        entry_key = (*scope, key)
        with self._lock:
            if len(self._entries) > _PURGE_ABOVE:
                self._purge(now)
            entry = self._entries.get(entry_key)
            if entry is not None and now - entry.first_seen >= KEY_LIFETIME:
                entry = None
            first = entry is None
            if entry is None:
                entry = _Entry(request_fingerprint, now)
                self._entries[entry_key] = entry
        if not first:
            if entry.fingerprint != request_fingerprint:
                raise request_invalid(
                    f"The Idempotency-Key '{key}' has already been used for a different "
                    "request in the last 6 minutes. Use a new key for a new request."
                )
            entry.done.wait(_WAIT_FOR_FIRST)
            if not entry.status:
                # The first attempt crashed (nothing to replay) or is still running.
                return self.run(scope, key, request_fingerprint, handler)
            return Response(entry.body, status=entry.status, content_type=entry.content_type)
        try:
            response = handler()
        except BaseException:
            # Nothing to replay: forget the key so a retry runs again.
            with self._lock:
                self._entries.pop(entry_key, None)
            entry.done.set()
            raise
        entry.status = response.status_code
        entry.body = response.get_data()
        entry.content_type = response.content_type or ""
        entry.done.set()
        return response

    def _purge(self, now: datetime) -> None:
        expired = [k for k, e in self._entries.items() if now - e.first_seen >= KEY_LIFETIME]
        for entry_key in expired:
            del self._entries[entry_key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
