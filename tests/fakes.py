"""In-memory stand-ins for the ports; tests assert on their state."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from chalicelib.domain.errors import AccessRevoked, ProviderRejected, ProviderUnavailable
from chalicelib.domain.integration import Organisation
from chalicelib.domain.oauth_state import pkce_challenge
from chalicelib.domain.tokens import TokenSet


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class FakeAccountingAuth:
    """An app's OAuth side that checks PKCE and remembers what was done to it."""

    clock: FakeClock
    organisations: list[Organisation] = field(
        default_factory=lambda: [Organisation(id="org-1", name="Demo Plumbing Ltd")]
    )
    failures: dict[str, Exception] = field(default_factory=dict)
    challenges: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    live_refresh_tokens: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def _maybe_fail(self, operation: str) -> None:
        self.calls.append(operation)
        failure = self.failures.pop(operation, None)
        if failure is not None:
            raise failure

    def authorization_url(self, state: str, code_challenge: str) -> str:
        self.challenges[state] = code_challenge
        query = urlencode({"state": state, "code_challenge": code_challenge})
        return f"https://login.app.test/authorize?{query}"

    def approve(self, authorize_url: str) -> tuple[str, str]:
        """What the consent page does on Allow: a code bound to the URL's challenge."""
        state = parse_qs(urlsplit(authorize_url).query)["state"][0]
        code = secrets.token_hex(8)
        self.codes[code] = self.challenges[state]
        return code, state

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        self._maybe_fail("exchange_code")
        challenge = self.codes.pop(code, None)
        if challenge is None or challenge != pkce_challenge(code_verifier):
            raise ProviderRejected("The authorisation code was not accepted.")
        return self._issue()

    def refresh(self, tokens: TokenSet) -> TokenSet:
        self._maybe_fail("refresh")
        assert tokens.refresh_token is not None
        if tokens.refresh_token.get_secret_value() not in self.live_refresh_tokens:
            raise AccessRevoked("revoked")
        self.live_refresh_tokens.discard(tokens.refresh_token.get_secret_value())
        return self._issue()

    def revoke(self, tokens: TokenSet) -> None:
        self._maybe_fail("revoke")
        if tokens.refresh_token is not None:
            self.revoked.append(tokens.refresh_token.get_secret_value())
            self.live_refresh_tokens.discard(tokens.refresh_token.get_secret_value())

    def granted_organisations(self, tokens: TokenSet) -> list[Organisation]:
        self._maybe_fail("granted_organisations")
        return list(self.organisations)

    def disconnect_organisation(self, tokens: TokenSet, organisation: Organisation) -> None:
        self._maybe_fail("disconnect_organisation")
        self.disconnected.append(organisation.id)

    def _issue(self) -> TokenSet:
        refresh = f"refresh-{secrets.token_hex(8)}"
        self.live_refresh_tokens.add(refresh)
        return TokenSet(
            access_token=f"access-{secrets.token_hex(8)}",
            refresh_token=refresh,
            expires_at=self.clock.now() + timedelta(minutes=30),
            scopes=["offline_access"],
        )


@dataclass
class FakeRegistry:
    auth: FakeAccountingAuth

    def auth_for(self, app: str) -> FakeAccountingAuth:
        from chalicelib.domain.apps import available_app

        available_app(app)
        return self.auth


def unavailable() -> ProviderUnavailable:
    return ProviderUnavailable("The app did not answer in time; try again.")
