"""Counts the requests the emulator receives, keyed "METHOD /path-template"."""

from __future__ import annotations

import re
import threading
from collections import Counter

from flask import Flask, Request, request

# Requests to the emulator's own controls are never counted (or faulted).
CONTROL_PREFIX = "/_emulator"
_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def to_template(path: str) -> str:
    """Werkzeug rule syntax -> OpenAPI syntax: /connections/<id> -> /connections/{id}."""
    return _PLACEHOLDER.sub(r"{\1}", path)


def route_template(app: Flask, request: Request) -> str:
    """The canonical template of the matched route, or the raw path if none matched.

    Aliases (e.g. /Connections next to /connections, for a service whose paths are
    case-insensitive) are folded into the endpoint's first rule so counts add up.
    """
    rule = request.url_rule
    if rule is None or rule.endpoint is None:
        return request.path
    canonical = next(iter(app.url_map.iter_rules(rule.endpoint)), rule)
    return to_template(canonical.rule)


class CallCounter:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def count_calls(app: Flask, counter: CallCounter) -> None:
    """Count every request; register it before the service's own checks so refused
    requests (401, 429...) count too."""

    @app.before_request
    def _count() -> None:
        if not request.path.startswith(CONTROL_PREFIX):
            counter.record(f"{request.method} {route_template(app, request)}")
