"""Intuit's identity endpoints: discovery document, JWKS, token, revoke and userinfo.

The real ones live on several hosts (oauth.platform.intuit.com, developer.api.intuit.com,
accounts.platform.intuit.com); the emulator serves them all, and its discovery document
names them at the emulator's own URL, so a client given that document's URL as its
environment (intuit-oauth's `AuthClient(environment=...)`) needs nothing else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from flask import Blueprint, Response, jsonify, request

from localdev.quickbooks import scopes, tokens
from localdev.quickbooks.authorize import AUTHORIZE_PATH
from localdev.quickbooks.context import services
from localdev.quickbooks.errors import BearerError, OAuthError

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Intuit's own discovery URLs (intuitlib.config.DISCOVERY_URL), served the same.
DISCOVERY_ALIASES = (
    "/.well-known/openid_configuration/",
    "/.well-known/openid_sandbox_configuration/",
)
ISSUER_PATH = "/op/v1"
JWKS_PATH = "/op/v1/jwks"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
USERINFO_PATH = "/v1/openid_connect/userinfo"
# Intuit's opt-in for the refresh token's absolute (five-year) expiry in token answers.
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"

blueprint = Blueprint("quickbooks_identity", __name__)


def base_url() -> str:
    return request.url_root.rstrip("/")


def issuer() -> str:
    return f"{base_url()}{ISSUER_PATH}"


def discovery_document() -> dict[str, Any]:
    base = base_url()
    return {
        "issuer": issuer(),
        "authorization_endpoint": f"{base}{AUTHORIZE_PATH}",
        "token_endpoint": f"{base}{TOKEN_PATH}",
        "userinfo_endpoint": f"{base}{USERINFO_PATH}",
        "revocation_endpoint": f"{base}{REVOKE_PATH}",
        "jwks_uri": f"{base}{JWKS_PATH}",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


@blueprint.get(DISCOVERY_PATH)
def discovery() -> Response:
    return jsonify(discovery_document())


for _alias in DISCOVERY_ALIASES:
    blueprint.add_url_rule(_alias, view_func=discovery, methods=["GET"])


@blueprint.get(JWKS_PATH)
def jwks() -> Response:
    return jsonify(tokens.jwks())


def _client_from_basic() -> tuple[str, str] | None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    # RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
    return unquote_plus(auth.username or ""), unquote_plus(auth.password or "")


def _authenticated_client_id(*, body_allowed: bool) -> str:
    """Client auth by HTTP Basic, or client_id/client_secret in a form body where the
    discovery document allows it (the token endpoint only)."""
    credentials = _client_from_basic()
    if credentials is None and body_allowed:
        credentials = (request.form.get("client_id", ""), request.form.get("client_secret", ""))
    if credentials is None:
        raise OAuthError("invalid_client", 401)
    client_id, client_secret = credentials
    services().oauth.authenticate_client(client_id, client_secret)
    return client_id


def _required_form(name: str) -> str:
    value = request.form.get(name)
    if not value:
        raise OAuthError("invalid_request")
    return value


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@blueprint.post(TOKEN_PATH)
def token() -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request")
    client_id = _authenticated_client_id(body_allowed=True)
    grant_type = _required_form("grant_type")
    hard_expiry_wanted = request.headers.get(HARD_EXPIRY_HEADER, "").strip().lower() == "true"
    oauth = services().oauth
    if grant_type == "authorization_code":
        token_set = oauth.exchange_code(
            client_id,
            _required_form("code"),
            _required_form("redirect_uri"),
            request.form.get("code_verifier"),
            issuer=issuer(),
            hard_expiry_wanted=hard_expiry_wanted,
        )
    elif grant_type == "refresh_token":
        token_set = oauth.refresh(
            client_id, _required_form("refresh_token"), hard_expiry_wanted=hard_expiry_wanted
        )
    else:
        raise OAuthError("unsupported_grant_type")
    return _no_store(jsonify(token_set.to_json()))


@blueprint.post(REVOKE_PATH)
def revoke() -> Response:
    """JSON body `{"token": <refresh or access token>}`, client by HTTP Basic only."""
    client_id = _authenticated_client_id(body_allowed=False)
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    token_value = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token_value, str) or not token_value:
        raise OAuthError("invalid_request")
    services().oauth.revoke(client_id, token_value)
    return _no_store(Response(status=200))


@blueprint.get(USERINFO_PATH)
def userinfo() -> Response:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError("invalid_token", 401)
    svc = services()
    try:
        grant = svc.oauth.grant_for_access_token(value.strip())
    except BearerError as error:  # the same answer for every bad token
        raise OAuthError("invalid_token", 401) from error
    if scopes.OPENID not in grant.scopes:
        raise OAuthError("insufficient_scope", 403)
    user = svc.state.user
    body: dict[str, Any] = {"sub": user.user_id}
    if "email" in grant.scopes:
        body.update(email=user.email, emailVerified=True)
    if "profile" in grant.scopes:
        body.update(givenName=user.given_name, familyName=user.family_name)
    if "phone" in grant.scopes:
        body.update(phoneNumber=user.phone_number, phoneNumberVerified=True)
    return jsonify(body)
