"""Answers remembered per `Idempotency-Key`, so a retried write is replayed, not redone.

The store keeps the first answer to a key for ``lifetime`` (emulator clock) within a
scope the emulator chooses (a connection, a tenant...). A repeat with the same request
fingerprint gets that answer again, status and body byte for byte; a repeat that
arrives while the first is still running waits for it; the same key with a different
request raises `KeyReused`, which the emulator words as its service would. Which
answers are worth replaying (every one, or successes only) is the emulator's rule too.
Checking the key itself (length, characters) is left to the emulator.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Response

from localdev.emukit.clock import Clock

KEY_HEADER = "Idempotency-Key"
_WAIT_FOR_FIRST = 30.0  # seconds a concurrent repeat waits for the first request
_PURGE_ABOVE = 1000  # entries; expired ones are dropped once the store grows past this


class KeyReused(Exception):
    """The key was already used, within its lifetime, for a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{KEY_HEADER} {key!r} was already used for a different request")
        self.key = key


def every_answer(status: int) -> bool:
    return True


def successes_only(status: int) -> bool:
    return 200 <= status < 300


def canonical_json(body: bytes) -> bytes:
    """The body with key order and whitespace normalised, if it is JSON."""
    try:
        return json.dumps(json.loads(body or b"null"), sort_keys=True).encode()
    except ValueError:
        return body


def fingerprint(*parts: str | bytes) -> str:
    """What makes two requests "the same" is the emulator's choice of parts."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part.encode() if isinstance(part, str) else part) + b"\0")
    return digest.hexdigest()


@dataclass
class _Entry:
    fingerprint: str
    first_seen: datetime
    done: threading.Event = field(default_factory=threading.Event)
    status: int = 0
    body: bytes = b""
    content_type: str = ""


class IdempotencyStore:
    def __init__(
        self,
        clock: Clock,
        lifetime: timedelta,
        *,
        keeps: Callable[[int], bool] = every_answer,
        replay_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._keeps = keeps
        self._replay_headers = dict(replay_headers or {})
        self._entries: dict[tuple[Hashable, str], _Entry] = {}
        self._lock = threading.Lock()

    def run(
        self,
        scope: Hashable,
        key: str,
        request_fingerprint: str,
        handler: Callable[[], Response],
    ) -> Response:
        """The handler's answer, or the one remembered for this key in this scope."""
        now = self._clock.now()
        entry_key = (scope, key)
        with self._lock:
            if len(self._entries) > _PURGE_ABOVE:
                self._purge(now)
            entry = self._entries.get(entry_key)
            if entry is not None and self._expired(entry, now):
                entry = None
            first = entry is None
            if entry is None:
                entry = _Entry(request_fingerprint, now)
                self._entries[entry_key] = entry
        if not first:
            return self._repeat(entry, scope, key, request_fingerprint, handler)
        try:
            response = handler()
        except BaseException:
            self._forget(entry_key, entry)
            raise
        if not self._keeps(response.status_code):
            self._forget(entry_key, entry)
            return response
        entry.status = response.status_code
        entry.body = response.get_data()
        entry.content_type = response.content_type or ""
        entry.done.set()
        return response

    def _repeat(
        self,
        entry: _Entry,
        scope: Hashable,
        key: str,
        request_fingerprint: str,
        handler: Callable[[], Response],
    ) -> Response:
        if entry.fingerprint != request_fingerprint:
            raise KeyReused(key)
        entry.done.wait(_WAIT_FOR_FIRST)
        if not entry.status:
            # The first attempt left nothing to replay (it failed, or is still running).
            return self.run(scope, key, request_fingerprint, handler)
        replay = Response(entry.body, status=entry.status, content_type=entry.content_type)
        replay.headers.update(self._replay_headers)
        return replay

    def _forget(self, entry_key: tuple[Hashable, str], entry: _Entry) -> None:
        """Nothing to replay: drop the key so a retry runs again, and wake any repeat."""
        with self._lock:
            if self._entries.get(entry_key) is entry:
                del self._entries[entry_key]
        entry.done.set()

    def _expired(self, entry: _Entry, now: datetime) -> bool:
        return now - entry.first_seen >= self._lifetime

    def _purge(self, now: datetime) -> None:
        for entry_key in [k for k, e in self._entries.items() if self._expired(e, now)]:
            del self._entries[entry_key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
