"""secure.myob.com's OAuth state: consents, single-use codes, access tokens and rotating
refresh tokens, each with MYOB's lifetimes on the emulator clock."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from localdev.emukit import Clock
from localdev.myob import scopes as scope_rules
from localdev.myob.errors import MyobError, OAuthError
from localdev.myob.models import AuthorisationCode, CompanyFile, Grant, RegisteredApp, User

# "The returned Code expires in 2-5 minutes": the emulator takes the shorter end.
CODE_LIFETIME = timedelta(minutes=2)
ACCESS_TOKEN_SECONDS = 1200  # 20 minutes
# Consent is per file and renewed annually.
CONSENT_LIFETIME = timedelta(days=365)

DEMO_USER = User(uid="6f1c2b1e-4c61-4f0e-9d0b-1a6c3d5e7f80", username="owner@loc8-demo.test")


@dataclass(frozen=True)
class Bearer:
    """Who a valid access token speaks for."""

    grant: Grant

    def reaches(self, company_file_id: str) -> bool:
        return company_file_id.lower() in (cf.lower() for cf in self.grant.company_file_ids)


class OAuthService:
    def __init__(self, app: RegisteredApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock
        self.lock = threading.RLock()
        self.user = DEMO_USER
        self.company_files: dict[str, CompanyFile] = {}
        self.grants: dict[str, Grant] = {}
        self._codes: dict[str, AuthorisationCode] = {}
        self._refresh: dict[str, str] = {}  # live refresh token -> grant id
        self._access: dict[str, str] = {}  # access token -> grant id

    def reset(self) -> None:
        with self.lock:
            self.grants.clear()
            self._codes.clear()
            self._refresh.clear()
            self._access.clear()

    # -- consent -------------------------------------------------------------------

    def consent(
        self, scopes: tuple[str, ...], company_file_id: str | None, redirect_uri: str
    ) -> AuthorisationCode:
        """The user allowed the app: a grant for one file (granular scopes) or every file
        of the user (legacy CompanyFile), and a code for it."""
        with self.lock:
            if scope_rules.is_granular(scopes):
                if company_file_id not in self.company_files:
                    raise ValueError("choose one company file")
                files: tuple[str, ...] = (company_file_id,)
            else:
                files = tuple(self.company_files)
            grant = Grant(
                id=str(uuid.uuid4()),
                user=self.user,
                scopes=scopes,
                company_file_ids=files,
                given_at=self.clock.now(),
            )
            self.grants[grant.id] = grant
            code = AuthorisationCode(
                code=secrets.token_urlsafe(32),
                grant_id=grant.id,
                redirect_uri=redirect_uri,
                expires_at=self.clock.now() + CODE_LIFETIME,
            )
            self._codes[code.code] = code
            return code

    def lapse(self, company_file_id: str) -> int:
        """The file's consent lapses (not renewed, or revoked by the file's admin): every
        grant reaching it stops working. Returns how many grants lapsed."""
        with self.lock:
            lapsed = 0
            for grant in self.grants.values():
                if company_file_id in grant.company_file_ids and not grant.lapsed:
                    grant.lapsed = True
                    lapsed += 1
            return lapsed

    def _is_live(self, grant: Grant) -> bool:
        return not grant.lapsed and self.clock.now() < grant.given_at + CONSENT_LIFETIME

    # -- token endpoint ------------------------------------------------------------

    def check_client(self, client_id: str | None, client_secret: str | None) -> None:
        if client_id != self.app.client_id or not secrets.compare_digest(
            (client_secret or "").encode(), self.app.client_secret.encode()
        ):
            raise OAuthError("invalid_client", 401)

    def exchange_code(self, code: str | None, redirect_uri: str | None) -> dict[str, object]:
        with self.lock:
            found = self._codes.pop(code or "", None)  # single use, even when refused
            if found is None or self.clock.now() >= found.expires_at:
                raise OAuthError("invalid_grant")
            if redirect_uri != found.redirect_uri:
                raise OAuthError("invalid_grant")
            grant = self.grants[found.grant_id]
            return self._issue(grant)

    def refresh(self, refresh_token: str | None) -> dict[str, object]:
        with self.lock:
            grant_id = self._refresh.pop(refresh_token or "", None)  # rotation: used once
            grant = self.grants.get(grant_id or "")
            if grant is None or not self._is_live(grant):
                raise OAuthError("invalid_grant")
            return self._issue(grant)

    def _issue(self, grant: Grant) -> dict[str, object]:
        access = secrets.token_urlsafe(48)
        refresh = secrets.token_urlsafe(32)
        if grant.refresh_token:
            self._refresh.pop(grant.refresh_token, None)
        grant.refresh_token = refresh
        grant.access_tokens[access] = self.clock.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        self._access[access] = grant.id
        self._refresh[refresh] = grant.id
        return {
            "access_token": access,
            "token_type": "bearer",
            # MYOB sends the lifetime as a string.
            "expires_in": str(ACCESS_TOKEN_SECONDS),
            "refresh_token": refresh,
            "scope": " ".join(grant.scopes),
            "user": {"uid": grant.user.uid, "username": grant.user.username},
        }

    # -- API -----------------------------------------------------------------------

    def bearer(self, access_token: str) -> Bearer:
        """The consent behind a token; MYOB's 401 when the token is unknown or expired."""
        with self.lock:
            grant = self.grants.get(self._access.get(access_token, ""))
            expiry = grant.access_tokens.get(access_token) if grant else None
            if grant is None or expiry is None or self.clock.now() >= expiry:
                raise invalid_token()
            return Bearer(grant)

    def consent_is_live(self, bearer: Bearer) -> bool:
        with self.lock:
            return self._is_live(bearer.grant)


def invalid_token() -> MyobError:
    return MyobError(
        401,
        "OAuthTokenIsInvalid",
        "The supplied OAuth token (Bearer) is not valid",
        "Header: Authorization",
    )
