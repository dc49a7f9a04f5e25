"""What can go wrong talking to Loc8 core, as the sync needs to tell the cases apart.

They extend the generic domain errors (NotFound, ConcurrentUpdate, ValidationFailed)
so code that only cares about the kind can catch those.
"""

from __future__ import annotations

from chalicelib.domain.errors import (
    ConcurrentUpdate,
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)


class Loc8Error(DomainError):
    title = "Loc8 core error"


class Loc8Unavailable(Loc8Error):
    """No useful answer (timeout, connection failure, 5xx, 429) after the allowed retries.

    The job should checkpoint and try again later, after `retry_after_seconds` if given.
    """

    title = "Loc8 core unavailable"

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Loc8AuthFailed(Loc8Error):
    """Loc8 core refused the service credential: configuration, not something to retry."""

    title = "Loc8 core refused the service credential"


class Loc8NotFound(Loc8Error, NotFound):
    title = "Not found in Loc8"


class Loc8Conflict(Loc8Error, Conflict):
    """The record's state forbids the change (e.g. paying a voided invoice)."""

    title = "Conflict in Loc8"

    def __init__(self, message: str, kind: str = "conflict") -> None:
        super().__init__(message)
        self.kind = kind


class Loc8VersionConflict(Loc8Conflict, ConcurrentUpdate):
    """The record changed since it was read: re-read, re-apply, retry."""

    title = "Changed in Loc8 since it was read"

    def __init__(self, message: str, current_version: int | None) -> None:
        super().__init__(message, kind="version-conflict")
        self.current_version = current_version


class Loc8ValidationFailed(Loc8Error, ValidationFailed):
    """Loc8 core refused the data; `problems` names each field at fault."""

    title = "Loc8 refused the data"


class Loc8Rejected(Loc8Error):
    """Any other refusal: the request itself is wrong, so retrying it will not help."""

    title = "Loc8 core rejected the request"
