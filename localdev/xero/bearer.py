"""Bearer-token check shared by every api.xero.com path (connections now, Accounting API later)."""

from __future__ import annotations

from flask import request

from localdev.xero.context import services
from localdev.xero.errors import BearerError
from localdev.xero.models import Grant


def authenticated_grant() -> Grant:
    """The grant behind the request's access token; raises BearerError (-> 401) otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerError("AuthenticationUnsuccessful")
    return services().oauth.grant_for_access_token(token.strip())
