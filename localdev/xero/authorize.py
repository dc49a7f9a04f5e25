"""login.xero.com stand-in: the authorize endpoint and its consent page.

Errors about the client or redirect URI are shown as a page and never redirected,
so an attacker cannot bounce users to an unregistered URI (RFC 6749 section 4.1.2.1).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from localdev.xero import scopes as scope_rules
from localdev.xero import tokens
from localdev.xero.context import services
from localdev.xero.models import RegisteredApp
from localdev.xero.oauth import AuthorizeRequest

AUTHORIZE_PATH = "/identity/connect/authorize"

blueprint = Blueprint("xero_authorize", __name__, template_folder="templates")


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
        raise _ErrorPage("unauthorized_client", "Unknown client or client not enabled")
    redirect_uris = args.getlist("redirect_uri")
    if len(redirect_uris) != 1 or redirect_uris[0] not in app.redirect_uris:
        raise _ErrorPage("unauthorized_client", "Invalid redirect_uri")

    response_type = _single(args, "response_type")
    if not response_type:
        raise _ErrorRedirect("invalid_request")
    if response_type != "code":
        raise _ErrorRedirect("unsupported_response_type")

    requested = scope_rules.parse_scope(_single(args, "scope"))
    if not requested:
        raise _ErrorRedirect("invalid_request")
    if scope_rules.unknown_scopes(requested):
        raise _ErrorRedirect("invalid_scope")

    challenge = _single(args, "code_challenge")
    if not challenge or not tokens.is_valid_challenge(challenge):
        raise _ErrorRedirect("invalid_request")
    if _single(args, "code_challenge_method") != "S256":
        raise _ErrorRedirect("invalid_request")

    return AuthorizeRequest(
        client_id=client_ids[0],
        redirect_uri=redirect_uris[0],
        scopes=requested,
        state=args.get("state"),
        code_challenge=challenge,
        nonce=args.get("nonce"),
    )


def _error_page(error: _ErrorPage) -> Response:
    html = render_template("xero/error.html", error=error.error, description=error.description)
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


def _consent_page(auth_request: AuthorizeRequest) -> Response:
    state = services().state
    with state.lock:
        organisations = list(state.organisations.values())
    html = render_template(
        "xero/consent.html",
        app_name=state.registered_app.name,
        user_email=state.user.email,
        scopes=auth_request.scopes,
        needs_organisation=scope_rules.needs_organisation(auth_request.scopes),
        organisations=organisations,
        action=f"{request.path}?{request.query_string.decode('ascii', 'replace')}",
    )
    response = Response(html, mimetype="text/html")
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
        return _error_page(_ErrorPage("invalid_request", "Choose Allow access or Cancel."))

    tenant_ids: tuple[str, ...] = ()
    if scope_rules.needs_organisation(auth_request.scopes):
        state = services().state
        with state.lock:
            known = list(state.organisations)
        chosen = tuple(dict.fromkeys(request.form.getlist("tenant_id")))
        if any(tenant_id not in known for tenant_id in chosen):
            return _error_page(_ErrorPage("invalid_request", "Unknown organisation selected."))
        # No selection submitted (e.g. a scripted POST): connect every organisation.
        tenant_ids = chosen or tuple(known)

    code = services().oauth.issue_code(auth_request, tenant_ids)
    # Xero's callback also carries scope and session_state; clients must tolerate extras.
    params = {
        "code": code,
        "scope": " ".join(auth_request.scopes),
        "state": auth_request.state,
        "session_state": f"{tokens.opaque_token()}.{tokens.opaque_token()[:22]}",
    }
    return _redirect(redirect_uri_with(auth_request.redirect_uri, params))
