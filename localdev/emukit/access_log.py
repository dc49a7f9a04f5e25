"""Access logs without credentials: the query parameters that carry them are redacted.

A local server logs every request line, and an OAuth callback's request line holds the
authorisation `code` and the `state`; other requests may carry a token. The values of
those parameters are replaced wherever a local server writes its access log: werkzeug's
servers (the emulators, the web client, moto) and the standard library's (`chalice
local`).
"""

from __future__ import annotations

import logging
import re
from http.server import BaseHTTPRequestHandler
from typing import Any

from werkzeug.serving import WSGIRequestHandler

SENSITIVE_PARAMETERS = (
    "code",
    "state",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "code_verifier",
    "client_secret",
)
REDACTED = "[redacted]"
# A parameter starts after "?", "&" or ";", also percent-encoded (a URL inside a
# parameter, e.g. a redirect_uri); its value ends at the next separator, blank, quote
# or fragment.
_PARAMETER = re.compile(
    r"(?:(?<=[?&;])|(?<=%3[Ff])|(?<=%26))"
    rf"(?P<name>{'|'.join(SENSITIVE_PARAMETERS)})(?P<equals>=|%3[Dd])"
    r"(?P<value>[^&;\s\"#%]*(?:%(?!26)[^&;\s\"#%]*)*)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with the value of every sensitive query parameter replaced."""
    return _PARAMETER.sub(lambda match: f"{match['name']}{match['equals']}{REDACTED}", text)


def _redacted_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(redact(arg) if isinstance(arg, str) else arg for arg in args)


class RedactingRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, logging request lines with credentials redacted."""

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, redact(message), *_redacted_args(args))


class RedactingFilter(logging.Filter):
    """Redacts a log record's message, for servers whose handler is not ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


_unredacted_log_message = BaseHTTPRequestHandler.log_message


def _standard_library_log_message(
    self: BaseHTTPRequestHandler,
    format: str,
    *args: Any,
) -> None:
    _unredacted_log_message(self, format, *_redacted_args(args))


def redact_access_logs_in_this_process() -> None:
    """Redact every access log this process writes: werkzeug's logger, and the
    standard library's request handlers (which `chalice local` serves with)."""
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(RedactingFilter())
    BaseHTTPRequestHandler.log_message = _standard_library_log_message  # type: ignore[method-assign]
