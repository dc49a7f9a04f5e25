"""Loc8 core's rules for writes sent with an Idempotency-Key.

Successful answers are kept 24 hours per tenant and key (the kit's store does the
remembering); a replay carries `Idempotent-Replayed: true`. Keys are 1-255 visible
characters; a key reused for a different request is refused with 422.
"""

from __future__ import annotations

from datetime import timedelta

from localdev.emukit import KEY_HEADER, Clock, IdempotencyStore, fingerprint, successes_only
from localdev.loc8.problems import Problem, field_errors

REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def reply_store(clock: Clock) -> IdempotencyStore:
    """One tenant's remembered answers."""
    return IdempotencyStore(
        clock, KEEP_FOR, keeps=successes_only, replay_headers={REPLAYED_HEADER: "true"}
    )


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return fingerprint(method, path, body)


def _key_problem(status: int, slug: str, title: str, detail: str, why: str) -> Problem:
    return Problem(status, slug, title, detail, errors=field_errors([(KEY_HEADER, why)]))


def check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        detail = f"{KEY_HEADER} must be 1-{MAX_KEY_LENGTH} visible characters."
        raise _key_problem(400, "bad-request", "Bad request", detail, "invalid")


def key_reused() -> Problem:
    detail = f"This {KEY_HEADER} was already used for a different request."
    why = "already used for another request"
    return _key_problem(422, "idempotency-key-reused", "Idempotency key reused", detail, why)
