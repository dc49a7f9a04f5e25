"""The MYOB emulator served on a real socket, and a client that signs in and calls it the
way an integration does: consent at the emulator, code for tokens, then the API with
MYOB's three headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from localdev.emukit import Clock
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobEmulator, MyobLimits
from localdev.serving import serve_in_thread

CLIENT_ID = "test-myob-api-key"
CLIENT_SECRET = "test-myob-api-secret-value"
REDIRECT_URI = "https://integrations.loc8.test/v1/oauth/myob/callback"
LOC8_SCOPES = (
    "sme-company-file",
    "sme-contacts-customer",
    "sme-inventory",
    "sme-general-ledger",
    "sme-sales",
)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def new_emulator(limits: MyobLimits | None = None) -> MyobEmulator:
    """On a frozen clock, so lifetimes and rate windows move only when a test says."""
    return MyobEmulator(
        CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], clock=Clock(frozen_at=START), limits=limits
    )


@dataclass
class Session:
    """Tokens for one consent, and the company file it names."""

    tokens: dict[str, Any]
    business_id: str | None

    @property
    def access_token(self) -> str:
        return str(self.tokens["access_token"])


class MyobFlow:
    def __init__(self, emulator: MyobEmulator, url: str, http: requests.Session) -> None:
        self.emulator = emulator
        self.url = url
        self.http = http

    def authorize_url(
        self, scope: str = " ".join(LOC8_SCOPES), *, state: str = "state-1", prompt: bool = True
    ) -> str:
        params = {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
        if prompt:
            params["prompt"] = "consent"
        return f"{self.url}/oauth2/account/authorize?{urlencode(params)}"

    def consent(self, scope: str = " ".join(LOC8_SCOPES), **kwargs: Any) -> dict[str, list[str]]:
        """The redirect's query after the user allows (business_id chooses the file)."""
        prompt = kwargs.pop("prompt", True)
        location = self.emulator.consent(self.authorize_url(scope, prompt=prompt), **kwargs)
        assert location.startswith(REDIRECT_URI)
        return parse_qs(urlsplit(location).query)

    def token(self, **form: str) -> requests.Response:
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **form}
        return self.http.post(f"{self.url}/oauth2/v1/authorize", data=body, timeout=5)

    def exchange(self, code: str) -> requests.Response:
        return self.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def login(self, scope: str = " ".join(LOC8_SCOPES), **kwargs: Any) -> Session:
        query = self.consent(scope, **kwargs)
        answer = self.exchange(query["code"][0])
        assert answer.status_code == 200, answer.text
        return Session(answer.json(), query.get("businessId", [None])[0])

    def call(
        self,
        session: Session | str,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """`path` below /accountright/{demo file}/ unless it starts with "/"."""
        token = session if isinstance(session, str) else session.access_token
        sent = {
            "Authorization": f"Bearer {token}",
            "x-myobapi-key": CLIENT_ID,
            "x-myobapi-version": "v2",
            **(headers or {}),
        }
        url = (
            f"{self.url}{path}"
            if path.startswith("/")
            else f"{self.url}/accountright/{DEMO_COMPANY_FILE_ID}/{path}"
        )
        return self.http.request(method, url, headers=sent, timeout=5, **kwargs)


@contextmanager
def served_myob(limits: MyobLimits | None = None) -> Iterator[MyobFlow]:
    """A fresh emulator on a real socket and a client for it. The per-second limit is
    generous unless `limits` says otherwise: tests that are not about limits make their
    calls at one frozen instant."""
    emulator = new_emulator(limits or MyobLimits(per_second=100_000))
    with serve_in_thread(emulator.app) as server, requests.Session() as http:
        yield MyobFlow(emulator, server.url, http)
