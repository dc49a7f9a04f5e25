"""Fault injection: make chosen endpoints fail, stall, or lose their reply.

Modes:
- ``respond``: answer ``status`` (default 503) without doing the work.
- ``delay``: wait ``latency_ms`` then handle the request normally.
- ``commit_then_drop``: do the work (e.g. rotate the refresh token), then replace the
  real answer with an HTML ``status`` (default 504 Gateway Time-out), the way a
  proxy reports an upstream reply it lost.
- ``commit_then_close``: do the work, then close the TCP connection without any
  reply. Needs a real socket; with no socket (Flask test client) it degrades to
  ``commit_then_drop``.

``latency_ms`` applies before any mode. ``times`` counts down per matching request;
``None`` keeps the fault until cleared. Clearing the faults also wakes every request
still waiting out a latency, so a test can hold requests open (e.g. to fill a
concurrency limit) and let them go without sleeping.

What the injected answers say is the emulator's choice (`ErrorBodies`); a lost reply
is always the HTML page a gateway in front of the service would send.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from localdev.emukit.calls import CONTROL_PREFIX, route_template, to_template
from localdev.emukit.errors import ErrorBodies, status_phrase

MODES = ("respond", "delay", "commit_then_drop", "commit_then_close")
_DEFAULT_STATUS = {"respond": 503, "commit_then_drop": 504, "commit_then_close": 504}
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_FIELDS = frozenset({"method", "path", "mode", "status", "latency_ms", "times", "headers", "body"})
_ANY_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass
class Fault:
    method: str
    path: str
    mode: str = "respond"
    status: int | None = None
    latency_ms: int = 0
    times: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.path = to_template(self.path)
        if self.method not in _METHODS:
            raise ValueError(f"unsupported method {self.method!r}")
        if not self.path.startswith("/"):
            raise ValueError("path must start with '/'")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if self.status is None:
            self.status = _DEFAULT_STATUS.get(self.mode)
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1, or null for 'until cleared'")

    def matches(self, method: str, path: str, template: str) -> bool:
        if self.method != method:
            return False
        if self.path == path:
            return True
        # Placeholder names do not matter: /connections/{id} matches /connections/{connection_id}.
        return _ANY_PLACEHOLDER.sub("{}", self.path) == _ANY_PLACEHOLDER.sub("{}", template)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "mode": self.mode,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "times": self.times,
            "headers": dict(self.headers),
            "body": self.body,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Fault:
        unknown = set(payload) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        for required in ("method", "path"):
            if not isinstance(payload.get(required), str):
                raise ValueError(f"{required} is required and must be a string")
        return cls(
            method=payload["method"],
            path=payload["path"],
            mode=_typed(payload, "mode", str, "respond"),
            status=_typed(payload, "status", int, None),
            latency_ms=_typed(payload, "latency_ms", int, 0),
            times=_typed(payload, "times", int, 1),
            headers={str(k): str(v) for k, v in _typed(payload, "headers", dict, {}).items()},
            body=payload.get("body"),
        )


def _typed(payload: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = payload.get(key, default)
    if value is None:
        return None if key in ("status", "times") else default
    # bool is an int subclass; "status": true is a mistake, not 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{key} must be of type {kind.__name__}")
    return value


@dataclass(frozen=True)
class Held:
    """A fault taken by one request, and the release that request waits on.

    The release is the one current when the fault was taken, so a clear that lands
    between taking the fault and starting to wait still lets the request go.
    """

    fault: Fault
    released: threading.Event


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._held = 0

    def add(
        self,
        method: str,
        path: str,
        *,
        mode: str = "respond",
        status: int | None = None,
        latency_ms: int = 0,
        times: int | None = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Fault:
        fault = Fault(
            method=method,
            path=path,
            mode=mode,
            status=status,
            latency_ms=latency_ms,
            times=times,
            headers=dict(headers or {}),
            body=body,
        )
        return self.add_fault(fault)

    def add_fault(self, fault: Fault) -> Fault:
        with self._changed:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, template: str) -> Held | None:
        """The first matching fault, consuming one of its ``times``."""
        with self._changed:
            for fault in self._faults:
                if fault.matches(method, path, template):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return Held(fault, self._released)
        return None

    def list(self) -> list[Fault]:
        with self._changed:
            return list(self._faults)

    def clear(self) -> None:
        """Forget every fault and release every request still waiting out a latency."""
        with self._changed:
            self._faults.clear()
            released, self._released = self._released, threading.Event()
        released.set()

    @property
    def held(self) -> int:
        """Requests waiting out a fault's latency right now."""
        with self._changed:
            return self._held

    def wait_until_held(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` requests are waiting out a latency (for tests that hold
        requests open and then clear the faults); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._held >= count, timeout)

    def sit_out(self, held: Held) -> None:
        """Wait the fault's ``latency_ms``, or less if the faults are cleared meanwhile."""
        if not held.fault.latency_ms:
            return
        self._count_held(+1)
        try:
            held.released.wait(held.fault.latency_ms / 1000)
        finally:
            self._count_held(-1)

    def _count_held(self, change: int) -> None:
        with self._changed:
            self._held += change
            self._changed.notify_all()


def _respond(fault: Fault, errors: ErrorBodies) -> Response:
    status = fault.status or 503
    if fault.body is None:
        response = errors.injected(status)
    elif isinstance(fault.body, str):
        response = Response(fault.body, status=status, mimetype="text/plain")
    else:
        response = Response(json.dumps(fault.body), status=status, mimetype=errors.json_type)
    response.headers.update(fault.headers)
    return response


def _lost_reply(fault: Fault) -> Response:
    status = fault.status or 504
    title = f"{status} {status_phrase(status)}"
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(fault.headers)
    return response


_AFTER_THE_WORK = "emukit_fault"  # flask.g key: the fault to apply to the handler's answer


def inject_faults(app: Flask, faults: FaultRegistry, errors: ErrorBodies) -> None:
    """Apply matching faults around the real handlers. Install it after the service's
    own checks, so e.g. a delayed request holds its concurrency slot while it waits."""

    @app.before_request
    def _before() -> Response | None:
        if request.path.startswith(CONTROL_PREFIX):
            return None
        held = faults.take(request.method, request.path, route_template(app, request))
        if held is None:
            return None
        faults.sit_out(held)
        fault = held.fault
        if fault.mode == "respond":
            return _respond(fault, errors)
        if fault.mode != "delay":
            setattr(g, _AFTER_THE_WORK, fault)
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        fault: Fault | None = g.pop(_AFTER_THE_WORK, None)
        if fault is None:
            return response
        sock = request.environ.get("werkzeug.socket")
        if fault.mode == "commit_then_close" and sock is not None:
            # The work is done; cutting the socket now means the client never sees the
            # reply. Werkzeug treats the failed write as a dropped connection.
            sock.shutdown(socket.SHUT_RDWR)
            return response
        return _lost_reply(fault)
