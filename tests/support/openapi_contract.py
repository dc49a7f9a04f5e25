"""Check HTTP responses against docs/openapi.yaml, the machine-readable copy of API.md.

`validate_response(method, path, response)` raises `ContractViolation` when a
`chalice.test` response breaks the spec: an undocumented path, method or status, a
body that does not match the documented media type and schema, or a required
header that is missing or malformed. `ContractClient` is a `chalice.test.Client`
whose `http` validates every response (preflight OPTIONS excepted: the spec leaves
CORS preflight out).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from chalice.test import Client, HTTPResponse, TestHTTPClient
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import json_loads
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
HOST_URL = "http://localhost"
EXEMPT_METHODS = frozenset({"OPTIONS"})


class ContractViolation(AssertionError):
    """A response that docs/openapi.yaml does not allow."""


@functools.cache
def openapi() -> OpenAPI:
    """The spec, loaded (and checked by openapi-spec-validator) once per process."""
    config = Config(extra_media_type_deserializers={"application/problem+json": json_loads})
    return OpenAPI.from_file_path(str(SPEC_PATH), config=config)


@dataclass
class SpecRequest:
    """openapi-core's Request protocol: just enough to find the operation."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    host_url: str = HOST_URL
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.method = self.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(self.query, keep_blank_values=True)),
            header=Headers(dict(self.headers)),
        )

    @property
    def content_type(self) -> str:
        return Headers(dict(self.headers)).get("Content-Type", "").lower()


@dataclass
class SpecResponse:
    """openapi-core's Response protocol over a chalice.test HTTPResponse."""

    status_code: int
    headers: Headers
    data: bytes | None

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").lower()

    @classmethod
    def from_chalice(cls, response: HTTPResponse) -> SpecResponse:
        headers = Headers()
        for name, value in (response.headers or {}).items():
            # Chalice merges multiValueHeaders in as lists.
            headers.add(name, ", ".join(value) if isinstance(value, list) else str(value))
        return cls(status_code=response.status_code, headers=headers, data=response.body)


def shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


def describe(error: Exception) -> str:
    schema_errors = getattr(error.__cause__, "schema_errors", None) or []
    if not schema_errors:
        return shorten(f"{type(error).__name__}: {error}")
    lines = [f"{type(error).__name__}: the body does not match the schema"]
    for schema_error in schema_errors:
        where = "/".join(str(part) for part in getattr(schema_error, "path", ())) or "(root)"
        lines.append(
            f"  at {where}: {shorten(getattr(schema_error, 'message', str(schema_error)))}"
        )
    return "\n".join(lines)


def response_errors(
    method: str,
    path: str,
    response: HTTPResponse,
    request_headers: Mapping[str, str] | None = None,
) -> list[str]:
    """What is wrong with `response` to `method path` (path may carry a query)."""
    parts = urlsplit(path)
    request = SpecRequest(
        method=method, path=parts.path, query=parts.query, headers=request_headers or {}
    )
    errors = openapi().iter_response_errors(request, SpecResponse.from_chalice(response))
    return [describe(error) for error in errors]


def validate_response(
    method: str,
    path: str,
    response: HTTPResponse,
    request_headers: Mapping[str, str] | None = None,
) -> None:
    errors = response_errors(method, path, response, request_headers)
    if errors:
        body = (response.body or b"")[:500].decode("utf-8", "replace")
        raise ContractViolation(
            f"{method.upper()} {path} -> {response.status_code} breaks docs/openapi.yaml:\n"
            + "\n".join(errors)
            + f"\nbody: {body}"
        )


class ValidatingHTTPClient:
    """Delegates to chalice's TestHTTPClient and validates each response it returns."""

    def __init__(self, http: TestHTTPClient) -> None:
        self._http = http

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | str = b"",
    ) -> HTTPResponse:
        response = self._http.request(method, path, headers=headers, body=body)
        if method.upper() not in EXEMPT_METHODS:
            validate_response(method, path, response, headers)
        return response

    def get(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("OPTIONS", path, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._http, name)


class ContractClient(Client):
    """A chalice.test Client whose `http` checks every response against the spec."""

    _validating_http: ValidatingHTTPClient | None = None

    @property
    def http(self) -> ValidatingHTTPClient:  # type: ignore[override]
        if self._validating_http is None:
            self._validating_http = ValidatingHTTPClient(super().http)
        return self._validating_http
