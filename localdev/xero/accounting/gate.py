"""What every Accounting request passes before its handler, in Xero's order:

0. request size at Xero's front end (404 with Xero's not-found text, not counted),
1. bearer token (401, the identity part's bodies),
2. `xero-tenant-id` reachable by the user's connections to this app (403),
3. rate limits for the connection (429),
4. the token's scopes for the endpoint (401 AuthorizationUnsuccessful),
5. `Accept: application/json` (406 - see problems.not_acceptable).

It runs as an app-level hook registered before the fault hook, so a `delay` fault
holds its concurrency slot while it waits, as a slow real request would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask, Response, g, request

from localdev.xero.accounting.books import Books
from localdev.xero.accounting.problems import (
    AccountingError,
    body_too_large,
    forbidden,
    insufficient_scope,
    not_acceptable,
    not_found,
)
from localdev.xero.accounting.tenancy import books_of
from localdev.xero.bearer import authenticated_grant
from localdev.xero.context import services
from localdev.xero.models import Grant

PREFIX = "/api.xro/2.0"

# Xero's front end refuses a long URL with its 404 "cannot be found" (XeroAPI issue
# threads: Xero-NetStandard #471 "total URL length of >2091", Xero-OpenAPI #534 and
# xero-node #404: 53 GUIDs refused, 52 taken). The emulator counts the URL as if sent
# to api.xero.com and refuses above 2,048 characters, a little stricter.
XERO_ORIGIN = "https://api.xero.com"
MAX_URL_LENGTH = 2048
# Xero's advice (Xero-Net #389, a Xero developer): keep IDs lists below 50 GUIDs.
MAX_IDS = 50
_ID_LISTS = ("IDs", "ContactIDs")
# Xero's limits guide caps a request body at 3.5 MB (see chalicelib's Xero profile).
MAX_BODY_BYTES = 3_500_000

_SETTINGS = ("accounting.settings", "accounting.settings.read")
_INVOICES = ("accounting.invoices", "accounting.invoices.read")
_TRANSACTIONS = ("accounting.transactions", "accounting.transactions.read")
_PAYMENTS = ("accounting.payments", "accounting.payments.read")
_CONTACTS = ("accounting.contacts", "accounting.contacts.read")
# Collection -> scopes that allow reading it. Writing needs one without ".read".
# `accounting.transactions` is the broad scope older apps hold; the granular ones
# replaced it for apps created from March 2026.
READ_SCOPES: dict[str, tuple[str, ...]] = {
    "Organisation": _SETTINGS,
    "Accounts": _SETTINGS,
    "TaxRates": _SETTINGS,
    "Contacts": _CONTACTS,
    "Items": _SETTINGS + _INVOICES + _TRANSACTIONS,
    "Invoices": _INVOICES + _TRANSACTIONS,
    "Payments": _PAYMENTS + _TRANSACTIONS,
}


@dataclass(frozen=True)
class Caller:
    """Who is calling and for which organisation; stored on `flask.g`."""

    grant: Grant
    tenant_id: str
    books: Books

    @property
    def client_id(self) -> str:
        return self.grant.client_id

    @property
    def connection(self) -> tuple[str, str]:
        return (self.tenant_id, self.grant.client_id)


def caller() -> Caller:
    return g.xero_caller


def collection_of(path: str) -> str:
    return path[len(PREFIX) :].strip("/").split("/", 1)[0]


def _tenant_id() -> str | None:
    raw = request.headers.get("xero-tenant-id", "").strip()
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def url_length() -> int:
    """The request's URL length as Xero would see it: origin, path, raw query."""
    query = request.query_string.decode("latin-1")
    path = quote(request.path, safe="/:@!$&'()*+,;=-._~")
    return len(XERO_ORIGIN) + len(path) + (len(query) + 1 if query else 0)


def _refused_for_size() -> bool:
    if url_length() > MAX_URL_LENGTH:
        return True
    return any(len(request.args.get(name, "").split(",")) > MAX_IDS for name in _ID_LISTS)


def _check_scopes(grant: Grant, collection: str) -> None:
    if collection not in READ_SCOPES:
        return  # not emulated: the handler answers 501
    allowed = READ_SCOPES[collection]
    if request.method not in ("GET", "HEAD"):
        allowed = tuple(scope for scope in allowed if not scope.endswith(".read"))
    if not set(allowed) & set(grant.scopes):
        raise insufficient_scope()


def _accepts_json() -> bool:
    return any(
        value.split(";")[0].strip().lower() == "application/json"
        for value in request.headers.get("Accept", "").split(",")
    )


def install(app: Flask, blueprint_name: str) -> None:
    @app.before_request
    def _gate() -> None:
        if request.blueprint != blueprint_name:
            return
        if _refused_for_size():
            raise not_found()
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise body_too_large()
        grant = authenticated_grant()
        tenant_id = _tenant_id()
        svc = services()
        reachable = {c.tenant_id for c in svc.oauth.connections_for(grant)}
        organisation = svc.state.organisation(tenant_id or "")
        if tenant_id is None or tenant_id not in reachable or organisation is None:
            raise forbidden()
        who = Caller(grant, tenant_id, books_of(svc.state, svc.clock, organisation))
        g.xero_caller = who
        g.xero_remaining = svc.limits.acquire(who.connection)
        g.xero_slot = who.connection
        _check_scopes(grant, collection_of(request.path))
        if not _accepts_json():
            raise not_acceptable()

    @app.errorhandler(AccountingError)
    def _error(error: AccountingError) -> Response:
        return error.to_response()


def add_limit_headers(response: Response) -> Response:
    remaining = g.get("xero_remaining")
    if remaining is not None:
        response.headers.update(remaining.headers())
    return response


def release_slot(error: BaseException | None = None) -> None:
    slot = g.pop("xero_slot", None)
    if slot is not None:
        services().limits.release(slot)
