"""The one thing each emulator must supply: how its service words an error.

The kit answers some requests itself (an injected fault, a refused control request).
Those answers must look like the emulated service's own, so each emulator passes an
`ErrorBodies` - Xero answers plain text and `{"error": ...}`, Loc8 core problem+json.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Protocol

from flask import Response


class ErrorBodies(Protocol):
    # Content type of a fault's JSON body, as the service would label its own errors.
    json_type: str

    def injected(self, status: int) -> Response:
        """The answer of a `respond` fault that names no body."""
        ...

    def refused(self, message: str, field: str | None = None) -> Response:
        """A 400 for an `/_emulator/` request the kit cannot carry out."""
        ...


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
