"""Who may call what: token expiry, tenant header, scopes and the Accept header."""

from __future__ import annotations

import pytest

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import AccountingClient
from tests.support.xero_flow import XeroFlow


def _problem(response, status: int, title: str, detail: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["Title"], body["Status"], body["Detail"]) == (title, status, detail)


def test_access_token_expires_after_30_minutes(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    assert api.get("/Organisation").status_code == 200
    emulator.clock.advance(31 * 60)
    expired = api.get("/Organisation")
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired: token expired at ")
    api.refresh()
    assert api.get("/Organisation").status_code == 200


def test_unknown_or_missing_token_is_401(api: AccountingClient) -> None:
    api.tokens = {**api.tokens, "access_token": "not-a-token"}
    _problem(api.get("/Contacts"), 401, "Unauthorized", "AuthenticationUnsuccessful")
    response = api.request("GET", "/Contacts", headers={"Authorization": None})
    _problem(response, 401, "Unauthorized", "AuthenticationUnsuccessful")


@pytest.mark.parametrize(
    "tenant",
    [None, "", "not-a-guid", "11111111-2222-3333-4444-555555555555"],
)
def test_missing_or_unknown_tenant_is_403(api: AccountingClient, tenant: str | None) -> None:
    response = api.request("GET", "/Contacts", headers={"xero-tenant-id": tenant})
    _problem(response, 403, "Forbidden", "AuthenticationUnsuccessful")


def test_tenant_not_connected_by_this_user_is_403(xero: XeroFlow, emulator: XeroEmulator) -> None:
    other = emulator.add_organisation("Not Connected Pty Ltd")
    tokens = xero.login(tenant_ids=[DEMO_TENANT_ID])
    api = AccountingClient(xero, tokens, tenant_id=other.tenant_id)
    _problem(api.get("/Organisation"), 403, "Forbidden", "AuthenticationUnsuccessful")
    # The tenant id header is case-insensitive as a GUID.
    upper = AccountingClient(xero, tokens, tenant_id=DEMO_TENANT_ID.upper())
    assert upper.get("/Organisation").status_code == 200


def test_disconnected_tenant_is_403(api: AccountingClient) -> None:
    [connection] = api.flow.connections(api.tokens["access_token"]).json()
    assert (
        api.flow.delete_connection(api.tokens["access_token"], connection["id"]).status_code == 204
    )
    _problem(api.get("/Organisation"), 403, "Forbidden", "AuthenticationUnsuccessful")


def test_each_organisation_has_its_own_books(xero: XeroFlow, emulator: XeroEmulator) -> None:
    other = emulator.add_organisation("Second Site Pty Ltd")
    tokens = xero.login(
        scope="offline_access accounting.contacts accounting.settings",
        tenant_ids=[DEMO_TENANT_ID, other.tenant_id],
    )
    demo, second = AccountingClient(xero, tokens), AccountingClient(xero, tokens, other.tenant_id)
    assert second.get("/Contacts").json()["Contacts"] == []
    assert len(second.get("/Accounts").json()["Accounts"]) == len(
        demo.get("/Accounts").json()["Accounts"]
    )
    second.create("Contacts", {"Name": "Boom FM"})  # unique per organisation only
    [organisation] = second.get("/Organisation").json()["Organisations"]
    assert (organisation["Name"], organisation["IsDemoCompany"]) == ("Second Site Pty Ltd", False)


@pytest.mark.parametrize(
    ("scope", "method", "path", "allowed"),
    [
        ("accounting.contacts.read", "GET", "/Contacts", True),
        ("accounting.contacts.read", "PUT", "/Contacts", False),
        ("accounting.contacts", "GET", "/Invoices", False),
        ("accounting.invoices.read", "GET", "/Invoices", True),
        ("accounting.invoices.read", "GET", "/Items", True),
        ("accounting.invoices", "PUT", "/Items", True),
        ("accounting.invoices", "GET", "/Payments", False),
        ("accounting.payments.read", "GET", "/Payments", True),
        ("accounting.payments.read", "PUT", "/Payments", False),
        ("accounting.settings.read", "GET", "/Accounts", True),
        ("accounting.settings.read", "GET", "/TaxRates", True),
        ("accounting.settings.read", "GET", "/Organisation", True),
        ("accounting.settings.read", "PUT", "/Accounts", False),
        ("accounting.invoices", "GET", "/Accounts", False),
        ("accounting.contacts", "GET", "/TaxRates", False),
    ],
)
def test_scopes_per_endpoint(
    xero: XeroFlow, scope: str, method: str, path: str, allowed: bool
) -> None:
    api = AccountingClient(xero, xero.login(scope=f"offline_access {scope}"))
    response = api.request(method, path, json={} if method == "PUT" else None)
    if allowed:
        assert response.status_code in (200, 400), response.text  # past the scope check
    else:
        _problem(response, 401, "Unauthorized", "AuthorizationUnsuccessful")


def test_accept_header_must_ask_for_json(api: AccountingClient) -> None:
    for accept in (None, "*/*", "application/xml", "text/html"):
        response = api.request("GET", "/Contacts", headers={"Accept": accept})
        assert response.status_code == 406, accept
        assert "Accept: application/json" in response.text
    assert api.request("GET", "/Contacts", headers={"Accept": "application/json; q=0.9"}).ok


def test_endpoints_not_emulated_answer_501(api: AccountingClient) -> None:
    response = api.get("/CreditNotes")
    assert response.status_code == 501
    assert "does not implement GET /api.xro/2.0/CreditNotes" in response.text
    assert api.request("DELETE", "/Contacts").status_code == 501
