"""The Chalice app as a WSGI application, through Chalice's own local gateway.

Schemathesis sends in-process requests to a WSGI app; this hands each one to a
chalice.test HTTP client unchanged (raw path and query, headers, body), so it meets
the same routing, middleware and gateway answers as `chalice local`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from chalice.test import TestHTTPClient

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def as_wsgi(http: TestHTTPClient) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers[name] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # Percent-encoded as sent: the local gateway matches routes on the raw path.
        uri = environ.get("RAW_URI") or environ["PATH_INFO"]
        response = http.request(environ["REQUEST_METHOD"], uri, headers=headers, body=body)
        status = response.status_code
        reason = HTTPStatus(status).phrase if status in iter(HTTPStatus) else "Unknown"
        start_response(
            f"{status} {reason}",
            [
                (name, ", ".join(value) if isinstance(value, list) else str(value))
                for name, value in (response.headers or {}).items()
            ],
        )
        return [response.body or b""]

    return application
