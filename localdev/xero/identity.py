"""identity.xero.com stand-in: the token and revocation endpoints."""

from __future__ import annotations

from urllib.parse import unquote_plus

from flask import Blueprint, Response, jsonify, request

from localdev.xero import scopes as scope_rules
from localdev.xero.context import services
from localdev.xero.errors import OAuthError

TOKEN_PATH = "/connect/token"
REVOCATION_PATH = "/connect/revocation"

blueprint = Blueprint("xero_identity", __name__)


def _form() -> None:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request")


def _authenticated_client_id() -> str:
    """Client auth by HTTP Basic, or client_id/client_secret in the body as Xero also allows."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        # RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
        client_id = unquote_plus(auth.username or "")
        client_secret: str | None = unquote_plus(auth.password or "")
    else:
        client_id = request.form.get("client_id", "")
        client_secret = request.form.get("client_secret")
    services().oauth.authenticate_client(client_id, client_secret)
    return client_id


def _required(name: str) -> str:
    value = request.form.get(name)
    if not value:
        raise OAuthError("invalid_request")
    return value


@blueprint.post(TOKEN_PATH)
def token() -> Response:
    _form()
    client_id = _authenticated_client_id()
    grant_type = _required("grant_type")
    oauth = services().oauth
    if grant_type == "authorization_code":
        token_set = oauth.exchange_code(
            client_id,
            _required("code"),
            request.form.get("redirect_uri"),
            request.form.get("code_verifier"),
        )
    elif grant_type == "refresh_token":
        token_set = oauth.refresh(
            client_id,
            _required("refresh_token"),
            scope_rules.parse_scope(request.form.get("scope")),
        )
    else:
        raise OAuthError("unsupported_grant_type")
    response = jsonify(token_set.to_json())
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@blueprint.post(REVOCATION_PATH)
def revocation() -> Response:
    _form()
    client_id = _authenticated_client_id()
    services().oauth.revoke(client_id, _required("token"))
    return Response(status=200)
