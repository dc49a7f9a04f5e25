"""Fault injection for the Loc8 emulator: the Xero emulator's `Fault`s, Loc8's error shapes.

Matching, counting down and the modes (`respond`, `delay`, `commit_then_drop`,
`commit_then_close`) are those of `localdev.xero.faults`; only the bodies differ:
an injected `respond` answers problem+json as Loc8 core itself would, while a lost
reply (`commit_then_drop`) is the HTML page a gateway in front of it sends.
"""

from __future__ import annotations

import json
import socket
import time
from http import HTTPStatus

from flask import Flask, Response, g, request

from localdev.loc8.problems import PROBLEM_CONTENT_TYPE
from localdev.xero.calls import CallCounter, route_template
from localdev.xero.faults import Fault, FaultRegistry

# Requests to the emulator's own controls are never counted or faulted.
CONTROL_PREFIX = "/_emulator"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _respond(fault: Fault) -> Response:
    status = fault.status or 503
    if fault.body is None:
        body = {
            "type": "urn:loc8:problem:unavailable"
            if status >= 500
            else "urn:loc8:problem:injected",
            "title": _phrase(status),
            "status": status,
            "detail": "Injected by the Loc8 emulator.",
        }
        response = Response(json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    elif isinstance(fault.body, str):
        response = Response(fault.body, status=status, mimetype="text/plain")
    else:
        response = Response(json.dumps(fault.body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    response.headers.update(fault.headers)
    return response


def _lost_reply(fault: Fault) -> Response:
    status = fault.status or 504
    title = f"{status} {_phrase(status)}"
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(fault.headers)
    return response


def install(app: Flask, faults: FaultRegistry, calls: CallCounter) -> None:
    """Count every API request and apply matching faults around the real handlers."""

    @app.before_request
    def _before() -> Response | None:
        if request.path.startswith(CONTROL_PREFIX):
            return None
        template = route_template(app, request)
        calls.record(f"{request.method} {template}")
        fault = faults.take(request.method, request.path, template)
        if fault is None:
            return None
        if fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault.mode == "respond":
            return _respond(fault)
        if fault.mode != "delay":
            g.loc8_fault = fault
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        fault: Fault | None = g.pop("loc8_fault", None)
        if fault is None:
            return response
        sock = request.environ.get("werkzeug.socket")
        if fault.mode == "commit_then_close" and sock is not None:
            # The work is done; cutting the socket means the client never sees the reply.
            sock.shutdown(socket.SHUT_RDWR)
            return response
        return _lost_reply(fault)
