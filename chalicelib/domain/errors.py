"""Errors the services raise; the API layer maps each kind to one HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error a user can be told about; `message` is safe to show."""

    title = "Request failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    title = "Not found"


class InvalidRequest(DomainError):
    title = "Invalid request"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class ValidationFailed(DomainError):
    title = "Validation failed"

    def __init__(self, message: str, problems: list[FieldProblem]) -> None:
        super().__init__(message)
        self.problems = problems


class Conflict(DomainError):
    title = "Conflict"


class AlreadyConnected(Conflict):
    """An integration of the same app is already present for the tenant."""

    def __init__(self, app: str, existing_id: str) -> None:
        # The catalogue imports this module; its name lookup is imported on use.
        from chalicelib.domain.apps import app_name

        super().__init__(
            f"An integration with {app_name(app)} already exists ({existing_id}); "
            "disconnect it before adding another."
        )
        self.existing_id = existing_id


class InvalidTransition(Conflict):
    title = "Not allowed in the integration's current status"


class ConcurrentUpdate(Conflict):
    title = "Changed by another request"


class PreconditionFailed(DomainError):
    """The client's `If-Match` names a version that is no longer current."""

    title = "Precondition failed"


class InvalidOAuthState(DomainError):
    """The `state` of an OAuth callback is forged, replayed, expired or misdirected."""

    title = "Invalid authorisation state"


class ProviderError(DomainError):
    """Base of errors reported by an accounting app."""

    title = "Accounting app error"


class ProviderUnavailable(ProviderError):
    """The app did not answer usefully (timeout, 5xx, rate limit); retrying may work."""

    title = "Accounting app unavailable"

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class AccessRevoked(ProviderError):
    """The grant is gone (`invalid_grant`, 401): the user must reconnect."""

    title = "Access to the accounting app was revoked"


class ProviderRejected(ProviderError):
    """The app refused the request itself; retrying the same request will not help."""

    title = "Accounting app rejected the request"


class TemporarilyUnavailable(DomainError):
    """A dependency of ours is busy or down for a moment; the same request can be retried.

    The API answers 503 with Retry-After; the sync worker defers the job.
    """

    title = "Temporarily unavailable"

    def __init__(self, message: str, retry_after_seconds: float) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NotAuthenticated(DomainError):
    title = "Authentication required"


class NotAllowed(DomainError):
    title = "Not allowed"


class RateLimited(ProviderUnavailable):
    """The app's rate limit was hit; `problem` says which (minute, day, concurrent...)."""

    title = "Accounting app rate limit reached"

    def __init__(self, message: str, retry_after_seconds: float | None, problem: str) -> None:
        super().__init__(message, retry_after_seconds)
        self.problem = problem


class AccessTokenRejected(ProviderError):
    """The app refused the access token (HTTP 401): refresh once, then retry."""

    title = "Access token rejected"
