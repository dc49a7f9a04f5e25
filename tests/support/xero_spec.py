"""Check Accounting API responses against Xero's own OpenAPI spec (xero_accounting.yaml).

The spec is read from ../shared/reference/xero-openapi/ (relative to the repo root),
never copied into the project. It is loaded once per process (the C YAML loader
makes that ~0.6 s) and patched in memory: 23 boolean properties carry string defaults
(`default: "false"`), which strict OpenAPI tooling rejects. The spec has no
`nullable`, so a null anywhere fails validation - the emulator must omit empty fields
the way Xero does.

Two ways to hook it in, sharing one checker:
- `spec_hook(spec)` / `check_session(session, spec)`: a `requests` response hook that
  raises `SpecViolation` at the call itself;
- `SpecCheckedApp`: WSGI middleware that records violations for every other client
  (the xero-python SDK uses urllib3); assert on `.violations` afterwards. Requests
  from a checked session carry a marker header so the middleware does not validate
  the same response twice (a 1,000-contact page takes about a second to validate).

Only documented answers have a schema: 401/403/404/406/429 bodies are not in the
accounting spec, so they are not checked, but a 2xx from an operation or path the
spec does not have is a violation.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = REPO_ROOT.parent / "shared" / "reference" / "xero-openapi"
SPEC_PATH = SPEC_DIR / "xero_accounting.yaml"
PREFIX = "/api.xro/2.0"
MISSING_REASON = (
    f"Xero's OpenAPI spec is not available at {SPEC_PATH} "
    "(expected next to the repo at ../shared/reference/xero-openapi/)"
)


CHECKED_BY_CLIENT = "X-Spec-Checked-By-Client"


class SpecViolation(AssertionError):
    """A response that xero_accounting.yaml does not allow."""


def _patch_boolean_defaults(node: Any) -> int:
    """`type: boolean` with `default: "false"` -> a real boolean; returns how many."""
    patched = 0
    if isinstance(node, dict):
        default = node.get("default")
        if node.get("type") == "boolean" and isinstance(default, str):
            node["default"] = default.strip().lower() == "true"
            patched += 1
        for value in node.values():
            patched += _patch_boolean_defaults(value)
    elif isinstance(node, list):
        for value in node:
            patched += _patch_boolean_defaults(value)
    return patched


@functools.cache
def load_spec() -> dict[str, Any] | None:
    """The parsed, patched spec (cached per process), or None when it is absent."""
    if not SPEC_PATH.is_file():
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open("rb") as handle:
        spec = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader either way
    spec["x-patched-boolean-defaults"] = _patch_boolean_defaults(spec)
    return spec


@dataclass(frozen=True)
class _Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    operation: dict[str, Any]


class AccountingSpec:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._operations: list[_Operation] = []
        for template, item in spec["paths"].items():
            # Placeholders match one segment; Xero's paths are case-insensitive.
            regex = re.sub(r"\\\{[^{}]+\\\}", "[^/]+", re.escape(template))
            pattern = re.compile(f"^{regex}$", re.IGNORECASE)
            for method, operation in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    self._operations.append(_Operation(method, template, pattern, operation))
        # Literal paths before templated ones (/Invoices/{id}/pdf vs /Invoices/{id}).
        self._operations.sort(key=lambda op: op.template.count("{"))
        self._validators: dict[tuple[str, str], OAS30ReadValidator] = {}
        self._lock = threading.Lock()
        self.checked = 0  # responses validated against a schema (proof the hook ran)

    def operation(self, method: str, path: str) -> _Operation | None:
        relative = path[len(PREFIX) :] if path.lower().startswith(PREFIX.lower()) else path
        for candidate in self._operations:
            if candidate.method == method.lower() and candidate.pattern.match(relative):
                return candidate
        return None

    def _response(self, operation: _Operation, status: int) -> dict[str, Any] | None:
        responses = operation.operation.get("responses", {})
        response = responses.get(str(status)) or responses.get("default")
        if response is not None and "$ref" in response:
            response = self.spec["components"]["responses"][response["$ref"].split("/")[-1]]
        return response

    def _validator(
        self, operation: _Operation, status: int, schema: dict[str, Any]
    ) -> OAS30ReadValidator:
        key = (f"{operation.method} {operation.template}", str(status))
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                # Local $refs (#/components/...) resolve against this root document.
                root = {**schema, "components": self.spec["components"]}
                validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
                self._validators[key] = validator
            return validator

    def violations(
        self, method: str, path: str, status: int, content_type: str, body: bytes
    ) -> list[str]:
        if not path.lower().startswith(PREFIX.lower()):
            return []
        where = f"{method} {path} -> {status}"
        operation = self.operation(method, path)
        if operation is None:
            return [f"{where}: no such operation in xero_accounting.yaml"] if status < 400 else []
        response = self._response(operation, status)
        if response is None:
            if status < 400:
                return [f"{where}: status not documented for {operation.operation['operationId']}"]
            return []  # undocumented error statuses (401/403/404/406/429) have no schema
        content = response.get("content")
        if not content:
            return [] if not body else [f"{where}: the spec documents no body"]
        schema = content.get("application/json", {}).get("schema")
        if not content_type.lower().startswith("application/json"):
            return [f"{where}: Content-Type {content_type!r}, expected application/json"]
        try:
            document = json.loads(body)
        except ValueError as error:
            return [f"{where}: body is not JSON ({error})"]
        if schema is None:
            return []
        errors = sorted(
            self._validator(operation, status, schema).iter_errors(document),
            key=lambda e: list(e.absolute_path),
        )
        with self._lock:
            self.checked += 1
        return [
            f"{where}: {'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
            for error in errors[:10]
        ]


def check_session(session: requests.Session, spec: AccountingSpec) -> requests.Session:
    """Validate every Accounting response this session receives, failing at the call."""
    session.hooks["response"].append(spec_hook(spec))
    session.headers[CHECKED_BY_CLIENT] = "1"
    return session


def spec_hook(spec: AccountingSpec) -> Callable[..., None]:
    """A `requests` response hook: `session.hooks["response"].append(spec_hook(spec))`."""

    def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        found = spec.violations(
            response.request.method or "GET",
            urlsplit(response.url).path,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.content,
        )
        if found:
            raise SpecViolation("\n".join(found))

    return check


class SpecCheckedApp:
    """WSGI middleware validating every Accounting response the app sends."""

    def __init__(self, app: Callable[..., Iterable[bytes]], spec: AccountingSpec) -> None:
        self._app = app
        self._spec = spec
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        checked_by_client = "HTTP_" + CHECKED_BY_CLIENT.upper().replace("-", "_") in environ
        if checked_by_client or not path.lower().startswith(PREFIX.lower()):
            return self._app(environ, start_response)  # type: ignore[return-value]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split()[0])
            captured["content_type"] = dict((k.lower(), v) for k, v in headers).get(
                "content-type", ""
            )
            return start_response(status, headers, exc_info)

        result = self._app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        found = self._spec.violations(
            environ["REQUEST_METHOD"], path, captured["status"], captured["content_type"], body
        )
        if found:
            with self._lock:
                self.violations.extend(found)
        return [body]
