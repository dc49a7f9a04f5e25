"""Batched writes: cutting records into the app's batches, and pairing each batch's
records with the app's answers.

The app answers each record of a batch in order. An answer of another length cannot
be lined up with the records at all, so every record of that batch gets an answer of
unknown outcome: it is reported, and the caller does not move its cursor past it (the
next run retries it, and adopts by lookup what the lost write may have made).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from chalicelib.domain.accounting import WriteResult
from chalicelib.domain.app_profile import WriteFailure

Sent = TypeVar("Sent")
Answered = TypeVar("Answered")

Item = TypeVar("Item")

UNKNOWN_OUTCOME = (
    "The app's answer did not say what happened to this record; it is tried again on the next run."
)


def answers_for(
    sent: Sequence[Sent], answers: Sequence[WriteResult[Answered]]
) -> list[tuple[Sent, WriteResult[Answered]]]:
    """Each sent record with its answer; all of unknown outcome when the counts differ."""
    if len(answers) == len(sent):
        return list(zip(sent, answers, strict=True))
    unknown: WriteResult[Answered] = WriteResult(
        ok=False, errors=[UNKNOWN_OUTCOME], reason=WriteFailure.UNKNOWN
    )
    return [(record, unknown) for record in sent]


def outcome_unknown(result: WriteResult[object]) -> bool:
    return not result.ok and result.reason is WriteFailure.UNKNOWN


def chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    """`items` in batches of at most `size`, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
