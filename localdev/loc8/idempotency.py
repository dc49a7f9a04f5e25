"""Stored answers to writes sent with an Idempotency-Key (24 hours per tenant and key)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from localdev.loc8.problems import Problem

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredReply:
    fingerprint: str
    status: int
    body: bytes
    stored_at: datetime


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(
            400,
            "bad-request",
            "Bad request",
            f"{KEY_HEADER} must be 1-{MAX_KEY_LENGTH} visible characters.",
            errors=[{"field": KEY_HEADER, "message": "invalid"}],
        )


class ReplyStore:
    def __init__(self) -> None:
        self._replies: dict[str, StoredReply] = {}

    def find(self, key: str, request_fingerprint: str, now: datetime) -> StoredReply | None:
        """The stored answer for this key; a Problem if the key was used for another request."""
        stored = self._replies.get(key)
        if stored is None:
            return None
        if now - stored.stored_at > KEEP_FOR:
            del self._replies[key]
            return None
        if stored.fingerprint != request_fingerprint:
            raise Problem(
                422,
                "idempotency-key-reused",
                "Idempotency key reused",
                f"This {KEY_HEADER} was already used for a different request.",
                errors=[{"field": KEY_HEADER, "message": "already used for another request"}],
            )
        return stored

    def remember(self, key: str, reply: StoredReply) -> None:
        self._replies[key] = reply

    def clear(self) -> None:
        self._replies.clear()
