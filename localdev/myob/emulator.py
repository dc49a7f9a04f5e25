"""MyobEmulator: the Python handle on one emulated MYOB Business (secure.myob.com's OAuth
and the AccountRight API)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from localdev.emukit import Clock, EmulatorKit
from localdev.emukit.redirects import exact_redirect_uris
from localdev.myob.app import create_app
from localdev.myob.books import Books, timestamp
from localdev.myob.context import Services
from localdev.myob.errors import MyobErrorBodies, ValidationErrors
from localdev.myob.fields import Body
from localdev.myob.limits import MyobLimits, RateLimiter, limits_from_environment
from localdev.myob.models import CompanyFile, Grant, RegisteredApp
from localdev.myob.oauth import OAuthService
from localdev.myob.resources import RESOURCES
from localdev.myob.seed import seed_customers
from localdev.myob.state import CompanyFiles

DEFAULT_CLIENT_ID = "loc8-local-myob-key"
DEFAULT_CLIENT_SECRET = "loc8-local-myob-secret"  # a well-known, local-only value
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/myob/callback"


class MyobEmulator:
    """An in-process MYOB Business: OAuth at /oauth2/..., the API at /accountright/...

    ``app`` is the WSGI app (serve it with ``localdev.emukit.serve_in_thread``); the
    other attributes are the controls the HTTP ``/_emulator/*`` endpoints expose too.
    """

    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Iterable[str] = (DEFAULT_REDIRECT_URI,),
        *,
        clock: Clock | None = None,
        app_name: str = "Loc8 Integrations (local)",
        limits: MyobLimits | None = None,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        registered = RegisteredApp(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=exact_redirect_uris(redirect_uris, app="MYOB"),
            name=app_name,
        )
        self._kit = EmulatorKit(MyobErrorBodies(), timestamp, clock=clock or Clock())
        self.clock = self._kit.clock
        self.faults = self._kit.faults
        self.oauth = OAuthService(registered, self.clock)
        self.files = CompanyFiles(self.oauth, self.clock)
        self.limits = RateLimiter(limits or MyobLimits(), self.clock)
        self._services = Services(
            kit=self._kit, oauth=self.oauth, files=self.files, limits=self.limits
        )
        self.app: Flask = create_app(self._services)
        self.files.reset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MyobEmulator:
        """Registered key from MYOB_CLIENT_ID / MYOB_CLIENT_SECRET / MYOB_REDIRECT_URI
        (several exact URIs separated by commas), limits from MYOB_RATE_LIMIT_SECOND and
        MYOB_RATE_LIMIT_DAY."""
        env = os.environ if environ is None else environ
        redirect = env.get("MYOB_REDIRECT_URI") or DEFAULT_REDIRECT_URI
        return cls(
            client_id=env.get("MYOB_CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=env.get("MYOB_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            redirect_uris=redirect.split(","),
            limits=limits_from_environment(env),
        )

    @property
    def registered_app(self) -> RegisteredApp:
        return self.oauth.app

    @property
    def calls(self) -> Counter[str]:
        """Requests received per "METHOD /path-template" (a copy; missing keys read as 0)."""
        return self._kit.calls.snapshot()

    def company_files(self) -> list[CompanyFile]:
        with self.oauth.lock:
            return list(self.oauth.company_files.values())

    def add_company_file(
        self, name: str, company_file_id: str, *, demo_data: bool = True
    ) -> CompanyFile:
        return self.files.add(name, company_file_id, demo_data=demo_data)

    def books(self, company_file_id: str) -> Books:
        found = self.files.get(company_file_id)
        if found is None:
            raise KeyError(f"no company file {company_file_id}")
        return found

    def records(self, company_file_id: str, resource: str) -> list[dict[str, Any]]:
        """A resource's records as stored (URIs under the `{cf_uri}` placeholder)."""
        books = self.books(company_file_id)
        with books.lock:
            return [dict(record) for record in books.records(resource).values()]

    def create(
        self, company_file_id: str, resource: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Add a record through the API's own rules, without HTTP, limits or counts;
        raises ValidationErrors with MYOB's errors when the body is refused."""
        books = self.books(company_file_id)
        handler = RESOURCES[resource]
        with books.lock:
            checked = Body(dict(body))
            record = handler.build(checked, books, None)
            if checked.problems:
                raise ValidationErrors(checked.problems)
            books.store(resource, books.stamp(resource, record))
            handler.after_write(books, record, None)
            return dict(record)

    def seed_customers(self, company_file_id: str, count: int) -> int:
        """Add `count` customers quickly; returns how many the file holds afterwards."""
        return seed_customers(self.books(company_file_id), count)

    def grants(self) -> list[Grant]:
        with self.oauth.lock:
            return list(self.oauth.grants.values())

    def lapse_consent(self, company_file_id: str) -> int:
        """Play the file's consent lapsing (not renewed, or withdrawn by its admin)."""
        return self.oauth.lapse(company_file_id.lower())

    def reset(self) -> None:
        """Demo company file only, no consents or tokens, no faults, zero counts, clock 0."""
        self._services.reset()

    def consent(
        self,
        authorize_url: str,
        *,
        allow: bool = True,
        business_id: str | None = None,
    ) -> str:
        """Play the user on the consent page without a browser; returns the redirect
        Location. Goes through the real endpoint (validation, counts, faults);
        ``business_id`` is the file chosen, the first one (as the page preselects) if None."""
        parts = urlsplit(authorize_url)
        form: dict[str, Any] = {"decision": "allow" if allow else "deny"}
        # The page preselects the first file, so a user who just clicks Allow sends it.
        form["business_id"] = business_id or next(iter(self.oauth.company_files), "")
        response = self.app.test_client().post(f"{parts.path}?{parts.query}", data=form)
        location = response.headers.get("Location")
        if response.status_code != 302 or location is None:
            raise RuntimeError(f"consent was not redirected (HTTP {response.status_code})")
        return location
