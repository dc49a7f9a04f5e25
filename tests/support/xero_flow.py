"""A small Xero OAuth client for the emulator tests, written independently of the emulator."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
# A registered URI that already has a query, to check the emulator keeps it on redirect.
REDIRECT_URI = "http://127.0.0.1:9999/v1/oauth/xero/callback?source=xero"
OTHER_REDIRECT_URI = "https://app.example.com/oauth/xero"
SCOPES = "openid profile email offline_access accounting.settings accounting.contacts"
AUTHORIZE_PATH = "/identity/connect/authorize"


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str


def new_pkce() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return Pkce(verifier, challenge)


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass(frozen=True)
class Authorization:
    code: str
    pkce: Pkce
    location: str


class XeroFlow:
    """Drives the emulator over real HTTP the way a web backend would."""

    def __init__(self, base_url: str, session: requests.Session) -> None:
        self.base_url = base_url
        self.http = session

    def authorize_params(self, pkce: Pkce | None = None, **overrides: str | None) -> dict[str, str]:
        pkce = pkce or new_pkce()
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPES,
            "state": "state-123",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}

    def authorize_url(self, params: dict[str, str]) -> str:
        return f"{self.base_url}{AUTHORIZE_PATH}?{urlencode(params)}"

    def open_consent(self, params: dict[str, str]) -> requests.Response:
        return self.http.get(self.authorize_url(params), allow_redirects=False)

    def submit_consent(
        self,
        params: dict[str, str],
        decision: str = "allow",
        tenant_ids: list[str] | None = None,
    ) -> requests.Response:
        form: dict[str, Any] = {"decision": decision}
        if tenant_ids is not None:
            form["tenant_id"] = tenant_ids
        return self.http.post(self.authorize_url(params), data=form, allow_redirects=False)

    def authorize(
        self, scope: str = SCOPES, tenant_ids: list[str] | None = None, **overrides: str
    ) -> Authorization:
        pkce = new_pkce()
        params = self.authorize_params(pkce, scope=scope, **overrides)
        response = self.submit_consent(params, tenant_ids=tenant_ids)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        return Authorization(query_of(location)["code"][0], pkce, location)

    def token(
        self, data: dict[str, str], auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET)
    ) -> requests.Response:
        return self.http.post(f"{self.base_url}/connect/token", data=data, auth=auth)

    def exchange(
        self,
        authorization: Authorization,
        *,
        verifier: str | None = None,
        redirect_uri: str = REDIRECT_URI,
        auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET),
    ) -> requests.Response:
        data = {
            "grant_type": "authorization_code",
            "code": authorization.code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier or authorization.pkce.verifier,
        }
        return self.token(data, auth)

    def login(self, scope: str = SCOPES, tenant_ids: list[str] | None = None) -> dict[str, Any]:
        response = self.exchange(self.authorize(scope=scope, tenant_ids=tenant_ids))
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(
        self, token: str, auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET)
    ) -> requests.Response:
        return self.http.post(
            f"{self.base_url}/connect/revocation", data={"token": token}, auth=auth
        )

    def connections(self, access_token: str | None, **params: str) -> requests.Response:
        headers = {} if access_token is None else {"Authorization": f"Bearer {access_token}"}
        return self.http.get(f"{self.base_url}/connections", headers=headers, params=params)

    def delete_connection(self, access_token: str, connection_id: str) -> requests.Response:
        return self.http.delete(
            f"{self.base_url}/connections/{connection_id}",
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def control(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/_emulator{path}", json=body)


class PageParser(HTMLParser):
    """Collects what an assistive technology or a form-filling client would look at."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.forms: list[dict[str, str | None]] = []
        self.inputs: list[dict[str, str | None]] = []
        self.buttons: list[dict[str, str | None]] = []
        self.labels: dict[str, str] = {}
        self._in_title = False
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "form":
            self.forms.append(attributes)
        elif tag == "input":
            self.inputs.append(attributes)
        elif tag == "button":
            self.buttons.append(attributes)
        elif tag == "label":
            self._label_for = attributes.get("for")
            if self._label_for:
                self.labels[self._label_for] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._label_for:
            self.labels[self._label_for] += data.strip()


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser
