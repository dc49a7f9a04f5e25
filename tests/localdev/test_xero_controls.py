"""The /_emulator controls and their Python equivalents."""

from __future__ import annotations

from datetime import datetime

from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_flow import (
    CLIENT_ID,
    OTHER_REDIRECT_URI,
    REDIRECT_URI,
    XeroFlow,
    parse_page,
    query_of,
)


def test_reset_forgets_consents_tokens_organisations_faults_and_counts(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    tokens = xero.login()
    xero.control("POST", "/organisations", {"name": "Extra Org"})
    xero.control("POST", "/faults", {"method": "GET", "path": "/connections", "times": None})
    xero.control("POST", "/clock", {"advance_seconds": 60})

    assert xero.control("POST", "/reset").status_code == 200

    state = xero.control("GET", "/state").json()
    assert [o["tenantId"] for o in state["organisations"]] == [DEMO_TENANT_ID]
    assert state["grants"] == []
    assert state["connections"] == []
    assert state["faults"] == []
    assert state["clock"]["offset_seconds"] == 0
    assert xero.control("GET", "/calls").json() == {}
    assert xero.connections(tokens["access_token"]).status_code == 401
    assert xero.refresh(tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_python_reset_matches_http_reset(xero: XeroFlow, emulator: XeroEmulator) -> None:
    xero.login()
    emulator.add_organisation("Extra Org")
    emulator.reset()
    assert [o.tenant_id for o in emulator.organisations()] == [DEMO_TENANT_ID]
    assert emulator.grants() == []
    assert emulator.calls == {}


def test_clock_control_reads_and_advances(xero: XeroFlow) -> None:
    tokens = xero.login()
    before = xero.control("GET", "/clock").json()

    advanced = xero.control("POST", "/clock", {"advance_seconds": 1801})
    assert advanced.status_code == 200
    assert advanced.json()["offset_seconds"] == 1801
    elapsed = datetime.fromisoformat(advanced.json()["now"]) - datetime.fromisoformat(before["now"])
    assert elapsed.total_seconds() >= 1801
    assert xero.connections(tokens["access_token"]).status_code == 401

    for bad in ({"advance_seconds": -1}, {"advance_seconds": "10"}, {}, None):
        assert xero.control("POST", "/clock", bad).status_code == 400


def test_added_organisation_is_offered_on_the_consent_page(xero: XeroFlow) -> None:
    created = xero.control("POST", "/organisations", {"name": "Loc8 Electrical"})
    assert created.status_code == 201
    org = created.json()
    assert org["tenantName"] == "Loc8 Electrical"
    assert org["tenantType"] == "ORGANISATION"

    page = parse_page(xero.open_consent(xero.authorize_params()).text)
    assert org["tenantId"] in {i["value"] for i in page.inputs if i.get("name") == "tenant_id"}
    listed = xero.control("GET", "/organisations").json()
    assert [o["tenantName"] for o in listed] == ["Demo Company (AU)", "Loc8 Electrical"]

    assert xero.control("POST", "/organisations", {"name": " "}).status_code == 400
    duplicate = {"name": "Again", "tenantId": DEMO_TENANT_ID}
    assert xero.control("POST", "/organisations", duplicate).status_code == 400


def test_state_reads_back_grants_tokens_and_connections(xero: XeroFlow) -> None:
    tokens = xero.login()
    state = xero.control("GET", "/state").json()

    [grant] = state["grants"]
    assert grant["clientId"] == CLIENT_ID
    assert grant["tenantIds"] == [DEMO_TENANT_ID]
    assert [t["token"] for t in grant["refreshTokens"]] == [tokens["refresh_token"]]
    assert [t["token"] for t in grant["accessTokens"]] == [tokens["access_token"]]
    [connection] = state["connections"]
    assert connection["authEventId"] == grant["authEventId"]
    assert connection["active"] is True
    assert state["registeredApp"] == {
        "clientId": CLIENT_ID,
        "redirectUris": [REDIRECT_URI, OTHER_REDIRECT_URI],
    }


def test_calls_are_counted_per_path_template(xero: XeroFlow, emulator: XeroEmulator) -> None:
    tokens = xero.login()
    [connection] = xero.connections(tokens["access_token"]).json()
    xero.http.get(
        f"{xero.base_url}/Connections",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    xero.delete_connection(tokens["access_token"], connection["id"])

    calls = xero.control("GET", "/calls").json()
    assert calls == {
        "POST /identity/connect/authorize": 1,
        "POST /connect/token": 1,
        "GET /connections": 2,
        "DELETE /connections/{id}": 1,
    }
    assert emulator.calls["GET /connections"] == 2
    assert emulator.calls["POST /connect/revocation"] == 0


def test_python_consent_helper_plays_the_user(xero: XeroFlow, emulator: XeroEmulator) -> None:
    params = xero.authorize_params()
    location = emulator.consent(xero.authorize_url(params))
    assert query_of(location)["state"] == ["state-123"]
    assert "code" in query_of(location)

    denied = emulator.consent(xero.authorize_url(params), allow=False)
    assert query_of(denied)["error"] == ["access_denied"]
