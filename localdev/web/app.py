"""Serves the Settings > Integrations page and the OAuth return route on the local stack.

The page itself is static (``static/``: HTML, CSS and ES modules, no build step) and
talks only to the documented API with a bearer token. This server adds what a real Loc8
web app would get from its own sign-in: ``config.js`` carries the API's base URL and,
on the local stack only, a freshly minted admin token for one tenant. It is never
deployed; anyone who can reach it gets that token, so it listens on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, request, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_PATH = "/integrations/"
RETURN_PATH = "/integrations/return"
# What the OAuth callback appends to the return URL; passed on to the page, which
# finishes a granted consent with the handle and its own sign-in.
RETURN_PARAMETERS = ("integration_id", "result", "handle", "message")

# Every file of the page, by name; nothing else under static/ is served.
ASSETS = frozenset(path.name for path in STATIC_DIR.iterdir() if path.suffix in (".js", ".css"))

TokenSource = Callable[[], str]


def content_security_policy(api_url: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {api_url}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def create_app(api_url: str, token_source: TokenSource | None = None) -> Flask:
    """The web app; `token_source` mints the token config.js hands the page (local only)."""
    api_url = api_url.rstrip("/")
    app = Flask(__name__, static_folder=None)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(api_url)
        # A token may be in the address bar (?token=); never leak it as a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def root() -> Response:
        return redirect(PAGE_PATH)

    @app.get("/integrations")
    def without_slash() -> Response:
        return redirect(PAGE_PATH)

    @app.get(PAGE_PATH)
    def page() -> Response:
        return _static("index.html")

    @app.get(f"{PAGE_PATH}<name>")
    def asset(name: str) -> Response:
        if name not in ASSETS:
            abort(404)
        return _static(name)

    @app.get(f"{PAGE_PATH}config.js")
    def config() -> Response:
        settings = {"apiUrl": api_url, "token": token_source() if token_source else None}
        body = f"window.LOC8_CONFIG = {json.dumps(settings)};\n"
        response = Response(body, mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get(RETURN_PATH)
    def oauth_return() -> Response:
        """Where the API's OAuth callback sends the browser: back to the page, with the outcome."""
        outcome = {name: request.args[name] for name in RETURN_PARAMETERS if name in request.args}
        return redirect(f"{PAGE_PATH}?{urlencode(outcome)}" if outcome else PAGE_PATH, code=303)

    return app


def _static(name: str) -> Response:
    response = send_from_directory(STATIC_DIR, name, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
