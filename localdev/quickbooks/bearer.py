"""The API gateway's bearer check for every `/v3/company/{realmId}/...` request."""

from __future__ import annotations

from flask import request

from localdev.quickbooks import scopes
from localdev.quickbooks.context import services
from localdev.quickbooks.errors import BearerError, RealmForbidden
from localdev.quickbooks.models import Grant


def authorised_grant(realm_id: str) -> Grant:
    """The grant behind the request's access token, if it covers ``realm_id``.

    Raises BearerError (-> 401, code 3200) for a missing, malformed, unknown, expired or
    revoked token, and RealmForbidden (-> 403, code 3100) for a good token of another
    company or one without the accounting scope. `create_app` turns both into Intuit's
    bodies, so a route only calls this.
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerError("Authorization header missing or not a bearer token")
    grant = services().oauth.grant_for_access_token(token.strip())
    if grant.realm_id != realm_id or scopes.ACCOUNTING not in grant.scopes:
        raise RealmForbidden(realm_id)
    return grant
