"""appcenter.intuit.com stand-in: the authorize endpoint and its consent page, where the
user picks the one company this connection reaches.

Errors about the client or redirect URI are shown as a page and never redirected, so
an attacker cannot bounce users to an unregistered URI (RFC 6749 section 4.1.2.1).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from localdev.quickbooks import scopes as scope_rules
from localdev.quickbooks import tokens
from localdev.quickbooks.context import services
from localdev.quickbooks.models import RegisteredApp
from localdev.quickbooks.oauth import AuthorizeRequest

AUTHORIZE_PATH = "/connect/oauth2"

blueprint = Blueprint("quickbooks_authorize", __name__, template_folder="templates")


class _ErrorPage(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error = error
        self.description = description


class _ErrorRedirect(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def redirect_uri_with(redirect_uri: str, params: dict[str, str | None]) -> str:
    """Add params to a redirect URI, keeping any query it was registered with."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise _ErrorRedirect("invalid_request")
    return values[0] if values else None


def _validate(args: MultiDict[str, str], app: RegisteredApp) -> AuthorizeRequest:
    client_ids = args.getlist("client_id")
    if len(client_ids) != 1 or client_ids[0] != app.client_id:
        raise _ErrorPage("invalid_client", "The client_id is not that of a registered app.")
    redirect_uris = args.getlist("redirect_uri")
    if len(redirect_uris) != 1 or redirect_uris[0] not in app.redirect_uris:
        raise _ErrorPage(
            "invalid_redirect_uri",
            "The redirect_uri query parameter value is invalid. Make sure it is listed in "
            "the Redirect URIs section on your app's keys tab and matches it exactly.",
        )

    response_type = _single(args, "response_type")
    if not response_type:
        raise _ErrorRedirect("invalid_request")
    if response_type != "code":
        raise _ErrorRedirect("unsupported_response_type")

    requested = scope_rules.parse_scope(_single(args, "scope"))
    if not requested or scope_rules.unknown_scopes(requested):
        raise _ErrorRedirect("invalid_scope")

    # Intuit documents state as required (CSRF protection); the emulator refuses without it.
    state = _single(args, "state")
    if not state:
        raise _ErrorRedirect("invalid_request")

    challenge = _single(args, "code_challenge")
    if challenge is not None:
        if not tokens.is_valid_challenge(challenge):
            raise _ErrorRedirect("invalid_request")
        if _single(args, "code_challenge_method") != "S256":
            raise _ErrorRedirect("invalid_request")

    return AuthorizeRequest(
        client_id=client_ids[0],
        redirect_uri=redirect_uris[0],
        scopes=requested,
        state=state,
        code_challenge=challenge,
    )


def _error_page(error: _ErrorPage) -> Response:
    html = render_template(
        "quickbooks/error.html", error=error.error, description=error.description
    )
    return Response(html, status=400, mimetype="text/html")


def _redirect(target: str) -> Response:
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route(AUTHORIZE_PATH, methods=["GET", "POST"])
def authorize() -> Response:
    state = services().state
    try:
        auth_request = _validate(request.args, state.registered_app)
    except _ErrorPage as error:
        return _error_page(error)
    except _ErrorRedirect as error:
        # Only reached once client_id and redirect_uri are known to be good.
        target = redirect_uri_with(
            request.args["redirect_uri"], {"error": error.error, "state": request.args.get("state")}
        )
        return _redirect(target)

    if request.method == "GET":
        return _consent_page(auth_request)
    return _decide(auth_request)


def _consent_page(auth_request: AuthorizeRequest, problem: str | None = None) -> Response:
    svc = services()
    html = render_template(
        "quickbooks/consent.html",
        app_name=svc.state.registered_app.name,
        user_email=svc.state.user.email,
        scopes=auth_request.scopes,
        needs_company=scope_rules.needs_company(auth_request.scopes),
        companies=svc.companies.list(),
        problem=problem,
        action=f"{request.path}?{request.query_string.decode('ascii', 'replace')}",
    )
    response = Response(html, status=400 if problem else 200, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _decide(auth_request: AuthorizeRequest) -> Response:
    decision = request.form.get("decision")
    if decision == "deny":
        return _redirect(
            redirect_uri_with(
                auth_request.redirect_uri, {"error": "access_denied", "state": auth_request.state}
            )
        )
    if decision != "allow":
        return _consent_page(auth_request, "Choose Connect or Cancel.")

    realm_id: str | None = None
    if scope_rules.needs_company(auth_request.scopes):
        chosen = request.form.getlist("realm_id")
        # One company per connection: exactly one, and one the user has.
        if len(chosen) != 1 or services().companies.get(chosen[0]) is None:
            return _consent_page(auth_request, "Choose one company to connect.")
        realm_id = chosen[0]

    code = services().oauth.issue_code(auth_request, realm_id)
    params = {"code": code, "state": auth_request.state, "realmId": realm_id}
    return _redirect(redirect_uri_with(auth_request.redirect_uri, params))
