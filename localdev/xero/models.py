"""Records held by the emulator: plain dataclasses, mutated only under EmulatorState.lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RegisteredApp:
    """The one Xero app (as set up at developer.xero.com/myapps) the emulator knows."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str = "Loc8 Integrations (local)"


@dataclass(frozen=True)
class User:
    """The Xero user who "logs in" on the consent page. The emulator has exactly one."""

    user_id: str
    email: str
    given_name: str
    family_name: str
    global_session_id: str


@dataclass
class Organisation:
    """A Xero tenant.

    ``resources`` is where the Accounting API emulation keeps per-organisation data
    (accounts, contacts, invoices, ...) so identity code never needs to know about it.
    """

    tenant_id: str
    name: str
    tenant_type: str = "ORGANISATION"
    resources: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str
    tenant_ids: tuple[str, ...]
    nonce: str | None
    expires_at: datetime
    redeemed: bool = False


@dataclass
class Grant:
    """One completed consent (Xero's "auth event") and the token chain it started."""

    auth_event_id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    tenant_ids: tuple[str, ...]
    created_at: datetime
    nonce: str | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass
class RefreshToken:
    token: str
    auth_event_id: str
    issued_at: datetime
    first_used_at: datetime | None = None


@dataclass
class AccessToken:
    token: str
    auth_event_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass
class Connection:
    """A tenant connected to the app by the user.

    Kept (inactive) after a disconnect so a later reconnect reuses its id and
    createdDateUtc, which is how Xero reports a reconnected tenant.
    """

    id: str
    client_id: str
    user_id: str
    tenant_id: str
    auth_event_id: str
    created_at: datetime
    updated_at: datetime
    active: bool = True


@dataclass(frozen=True)
class TokenSet:
    """What /connect/token answers with on success."""

    access_token: str
    expires_in: int
    scopes: tuple[str, ...]
    refresh_token: str | None
    id_token: str | None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.id_token is not None:
            body["id_token"] = self.id_token
        body["access_token"] = self.access_token
        body["expires_in"] = self.expires_in
        body["token_type"] = "Bearer"
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        body["scope"] = " ".join(self.scopes)
        return body
