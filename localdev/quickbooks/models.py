"""The identity side's records: the registered app, the user, codes, grants and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RegisteredApp:
    """The app as registered on Intuit's developer portal (its Keys tab)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class User:
    """The one person signed in to the emulated Intuit account."""

    user_id: str
    email: str
    given_name: str
    family_name: str
    phone_number: str


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    # None when only OpenID scopes were asked for: no company is connected then.
    realm_id: str | None
    code_challenge: str | None
    expires_at: datetime
    redeemed: bool = False


@dataclass
class Grant:
    """One consent: the app's access to one company (or to identity only), until revoked.

    Intuit's OAuth is one company per consent, so a grant covers at most one realm.
    """

    grant_id: str
    client_id: str
    user_id: str
    realm_id: str | None
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass
class AccessToken:
    token: str
    grant_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    issued_at: datetime
    # Rolling: each refresh issues a new token with a fresh lifetime, capped by the grant's
    # hard expiry (five years from consent).
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint answers, in Intuit's field order."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_token_expires_in: int
    refresh_token_hard_expires_in: int | None = None
    id_token: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "x_refresh_token_expires_in": self.refresh_token_expires_in,
            "refresh_token": self.refresh_token,
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token_hard_expires_in is not None:
            body["x_refresh_token_hard_expires_in"] = self.refresh_token_hard_expires_in
        if self.id_token is not None:
            body["id_token"] = self.id_token
        return body
