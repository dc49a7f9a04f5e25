"""Check real HTTP traffic against docs/loc8-core-api.yaml.

`check_response` is a `requests` response hook: a session with it installed fails
the test on any answer the contract does not allow (status, media type, body schema,
required headers). `check_request_and_response` also checks what the client sent, so
the adapter is held to the contract too. Emulator controls (`/_emulator/`) are not
part of the contract and pass unchecked.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.deserializing.media_types.util import json_loads

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "loc8-core-api.yaml"
CONTROL_PREFIX = "/_emulator"


class ContractViolation(AssertionError):
    """Traffic that docs/loc8-core-api.yaml does not allow."""


@functools.cache
def spec() -> OpenAPI:
    """Loaded (and checked by openapi-spec-validator) once per process."""
    config = Config(extra_media_type_deserializers={"application/problem+json": json_loads})
    return OpenAPI.from_file_path(str(SPEC_PATH), config=config)


def _describe(error: Exception) -> str:
    lines = [f"{type(error).__name__}: {error}"]
    for schema_error in getattr(error.__cause__, "schema_errors", None) or []:
        where = "/".join(str(part) for part in getattr(schema_error, "path", ())) or "(root)"
        lines.append(f"  at {where}: {getattr(schema_error, 'message', schema_error)}")
    return "\n".join(lines)


def _violation(what: str, response: requests.Response, errors: list[Exception]) -> None:
    request = response.request
    raise ContractViolation(
        f"{request.method} {urlsplit(request.url or '').path} -> {response.status_code}: "
        f"the {what} breaks docs/loc8-core-api.yaml:\n"
        + "\n".join(_describe(error) for error in errors)
        + f"\nbody: {response.text[:500]}"
    )


def check_response(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    if urlsplit(response.url).path.startswith(CONTROL_PREFIX):
        return
    request = RequestsOpenAPIRequest(response.request)
    errors = list(spec().iter_response_errors(request, RequestsOpenAPIResponse(response)))
    if errors:
        _violation("response", response, errors)


def check_request_and_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if not urlsplit(response.url).path.startswith(CONTROL_PREFIX):
        errors = list(spec().iter_request_errors(RequestsOpenAPIRequest(response.request)))
        if errors:
            _violation("request", response, errors)
    check_response(response, *args, **kwargs)


def checked_session(*, requests_too: bool = False) -> requests.Session:
    session = requests.Session()
    session.hooks["response"].append(check_request_and_response if requests_too else check_response)
    return session
