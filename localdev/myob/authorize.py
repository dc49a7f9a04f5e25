"""secure.myob.com stand-in: the consent page (with the company-file choice) and the
token endpoint.

A wrong client or redirect URI is shown as a page, never redirected, so nobody can
bounce a user to an unregistered URI (RFC 6749 section 4.1.2.1).
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, jsonify, redirect, request
from werkzeug.datastructures import MultiDict

from localdev.myob import scopes as scope_rules
from localdev.myob.context import services
from localdev.myob.errors import OAuthError

AUTHORIZE_PATH = "/oauth2/account/authorize"
TOKEN_PATH = "/oauth2/v1/authorize"

blueprint = Blueprint("myob_authorize", __name__)


class _Refused(Exception):
    def __init__(self, error: str, *, page: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.page = page


def with_params(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _one(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise _Refused("invalid_request")
    return values[0] if values else None


def _checked(args: MultiDict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The redirect URI and scopes of a valid authorize request."""
    app = services().oauth.app
    if args.getlist("client_id") != [app.client_id]:
        raise _Refused("unauthorized_client", page=True)
    redirect_uris = args.getlist("redirect_uri")
    if len(redirect_uris) != 1 or redirect_uris[0] not in app.redirect_uris:
        raise _Refused("invalid_redirect_uri", page=True)
    response_type = _one(args, "response_type")
    if response_type != "code":
        raise _Refused("unsupported_response_type" if response_type else "invalid_request")
    requested = scope_rules.parse(_one(args, "scope"))
    problem = scope_rules.problem(requested)
    if problem:
        raise _Refused(problem)
    return redirect_uris[0], requested


def _refusal(error: _Refused) -> Response:
    if error.page:
        page = (
            f"<!doctype html><title>MYOB sign in</title><h1>Error</h1><p>{escape(error.error)}</p>"
        )
        return Response(page, status=400, mimetype="text/html")
    uri = request.args.get("redirect_uri", "")
    return redirect(with_params(uri, {"error": error.error, "state": request.args.get("state")}))


@blueprint.get(AUTHORIZE_PATH, strict_slashes=False)
def consent_page() -> Response:
    try:
        _, requested = _checked(request.args)
    except _Refused as error:
        return _refusal(error)
    oauth = services().oauth
    app = oauth.app
    if scope_rules.is_granular(requested):
        choices = "".join(
            f'<label><input type="radio" name="business_id" value="{escape(cf.id)}"'
            f"{' checked' if index == 0 else ''}> {escape(cf.name)}</label><br>"
            for index, cf in enumerate(oauth.company_files.values())
        )
        files = f"<fieldset><legend>Choose a business</legend>{choices}</fieldset>"
    else:
        files = "<p>Access to every company file in your account.</p>"
    scopes = "".join(f"<li>{escape(scope)}</li>" for scope in requested)
    page = (
        "<!doctype html><html><head><title>MYOB - allow access</title></head><body>"
        f"<h1>{escape(app.name)} wants access to your MYOB business</h1>"
        f"<p>Signed in as {escape(oauth.user.username)}</p>"
        f'<form method="post" action="{escape(request.full_path)}">{files}'
        f"<ul>{scopes}</ul>"
        '<button name="decision" value="allow">Allow access</button> '
        '<button name="decision" value="deny">Cancel</button></form></body></html>'
    )
    return Response(page, mimetype="text/html")


@blueprint.post(AUTHORIZE_PATH, strict_slashes=False)
def decide() -> Response:
    try:
        redirect_uri, requested = _checked(request.args)
    except _Refused as error:
        return _refusal(error)
    state = request.args.get("state")
    if request.form.get("decision") != "allow":
        return redirect(with_params(redirect_uri, {"error": "access_denied", "state": state}))
    oauth = services().oauth
    business_id = request.form.get("business_id")
    try:
        code = oauth.consent(requested, business_id, redirect_uri)
    except ValueError:
        return Response("Choose a business to continue.", status=400, mimetype="text/plain")
    params: dict[str, str | None] = {"code": code.code, "state": state}
    # The chosen file comes back only for granular scopes, and only with prompt=consent.
    if scope_rules.is_granular(requested) and request.args.get("prompt") == "consent":
        params["businessId"] = business_id
        params["businessName"] = oauth.company_files[business_id or ""].name
    return redirect(with_params(redirect_uri, params))


@blueprint.post(TOKEN_PATH, strict_slashes=False)
def token() -> Response:
    form = request.form
    oauth = services().oauth
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type" if grant_type else "invalid_request")
    oauth.check_client(form.get("client_id"), form.get("client_secret"))
    if grant_type == "authorization_code":
        if not form.get("code") or not form.get("redirect_uri"):
            raise OAuthError("invalid_request")
        issued = oauth.exchange_code(form.get("code"), form.get("redirect_uri"))
    else:
        if not form.get("refresh_token"):
            raise OAuthError("invalid_request")
        issued = oauth.refresh(form.get("refresh_token"))
    response = jsonify(issued)
    response.headers["Cache-Control"] = "no-store"
    return response
