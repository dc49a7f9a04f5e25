"""Rate limits on the emulator clock: headers, each 429 kind, Retry-After, recovery."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from localdev.serving import RunningServer
from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from localdev.xero.accounting.limits import RateLimits
from tests.support.xero_api import ACCOUNTING_SCOPES, AccountingClient
from tests.support.xero_flow import CLIENT_ID, XeroFlow


def _remaining(response: requests.Response) -> tuple[int, int, int]:
    headers = response.headers
    return (
        int(headers["X-DayLimit-Remaining"]),
        int(headers["X-MinLimit-Remaining"]),
        int(headers["X-AppMinLimit-Remaining"]),
    )


def test_defaults_are_xeros_real_limits() -> None:
    assert RateLimits() == RateLimits(
        concurrent=5, per_minute=60, per_day=5000, app_per_minute=10000
    )
    env = {"XERO_RATE_LIMIT_MINUTE": "7", "XERO_RATE_LIMIT_DAY": "9"}
    from_env = XeroEmulator.from_env(env).limits.limits
    assert (from_env.per_minute, from_env.per_day, from_env.concurrent) == (7, 9, 5)
    with pytest.raises(ValueError, match="positive"):
        RateLimits(per_minute=0)


def test_every_accounting_response_carries_remaining_headers(api: AccountingClient) -> None:
    assert _remaining(api.get("/Organisation")) == (4999, 59, 9999)
    assert _remaining(api.get("/Contacts")) == (4998, 58, 9998)
    not_found = api.get("/Contacts/00000000-0000-0000-0000-000000000001")
    assert not_found.status_code == 404
    assert _remaining(not_found) == (4997, 57, 9997)  # errors count and say so too
    # Identity endpoints are not rate-limited like the Accounting API.
    assert "X-MinLimit-Remaining" not in api.flow.connections(api.tokens["access_token"]).headers


def test_minute_limit_429_then_success_after_the_window(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    emulator.limits.configure(per_minute=3)
    for _ in range(3):
        assert api.get("/Organisation").status_code == 200
    emulator.clock.advance(20)
    refused = api.get("/Organisation")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert refused.headers["Retry-After"] == "40"  # until the oldest call leaves the window
    assert _remaining(refused)[1] == 0
    emulator.clock.advance(39)
    assert api.get("/Organisation").status_code == 429  # refused calls do not count...
    emulator.clock.advance(1)
    assert api.get("/Organisation").status_code == 200  # ...so one second later it works


def test_day_limit_retry_after_can_be_hours(api: AccountingClient, emulator: XeroEmulator) -> None:
    emulator.limits.configure(per_day=2)
    assert api.get("/Organisation").status_code == 200
    emulator.clock.advance(3600)
    api.refresh()  # access tokens only live 30 minutes
    assert api.get("/Organisation").status_code == 200
    refused = api.get("/Organisation")
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
    assert refused.headers["Retry-After"] == str(86400 - 3600)
    emulator.clock.advance(86400 - 3600)
    api.refresh()
    assert api.get("/Organisation").status_code == 200


def test_app_minute_limit_spans_tenants(xero: XeroFlow, emulator: XeroEmulator) -> None:
    other = emulator.add_organisation("Other Org")
    tokens = xero.login(scope=ACCOUNTING_SCOPES, tenant_ids=[DEMO_TENANT_ID, other.tenant_id])
    demo, second = AccountingClient(xero, tokens), AccountingClient(xero, tokens, other.tenant_id)
    emulator.limits.configure(app_per_minute=3)
    demo.get("/Organisation")
    demo.get("/Organisation")
    assert _remaining(second.get("/Organisation")) == (4999, 59, 0)
    refused = second.get("/Organisation")
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "appminute")
    emulator.clock.advance(60)
    assert demo.get("/Organisation").status_code == 200


def test_limits_are_per_connection(xero: XeroFlow, emulator: XeroEmulator) -> None:
    other = emulator.add_organisation("Other Org")
    tokens = xero.login(scope=ACCOUNTING_SCOPES, tenant_ids=[DEMO_TENANT_ID, other.tenant_id])
    demo, second = AccountingClient(xero, tokens), AccountingClient(xero, tokens, other.tenant_id)
    emulator.limits.configure(per_minute=1)
    assert demo.get("/Organisation").status_code == 200
    assert demo.get("/Organisation").status_code == 429
    assert second.get("/Organisation").status_code == 200


def test_concurrent_limit(
    api: AccountingClient, emulator: XeroEmulator, server: RunningServer
) -> None:
    """Requests held open by a `delay` fault fill the 5 slots; no test sleeps: the held
    requests are released by clearing the faults."""
    emulator.faults.add("GET", "/api.xro/2.0/Contacts", mode="delay", latency_ms=10_000, times=5)
    headers = api.headers()

    def held() -> int:
        url = f"{server.url}/api.xro/2.0/Contacts"
        return requests.get(url, headers=headers, timeout=15).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(held) for _ in range(5)]
        try:
            assert emulator.limits.wait_for_in_flight(DEMO_TENANT_ID, CLIENT_ID, 5)
            refused = api.get("/Organisation")
            assert refused.status_code == 429
            assert refused.headers["X-Rate-Limit-Problem"] == "concurrent"
            assert refused.headers["Retry-After"] == "1"
            usage = api.flow.control("GET", "/limits").json()
            assert usage["connections"][0]["inFlight"] == 5
        finally:
            emulator.faults.clear()  # wakes the held requests at once
        assert [future.result() for future in futures] == [200] * 5
    assert api.get("/Organisation").status_code == 200


def test_limits_control(api: AccountingClient) -> None:
    control = api.flow.control
    changed = control("POST", "/limits", {"per_minute": 2, "concurrent": 1})
    assert changed.status_code == 200
    assert changed.json()["limits"] == {
        "concurrent": 1,
        "per_minute": 2,
        "per_day": 5000,
        "app_per_minute": 10000,
    }
    assert control("POST", "/limits", {"per_hour": 1}).status_code == 400
    assert control("POST", "/limits", {"per_minute": -1}).status_code == 400
    api.get("/Organisation")
    api.get("/Organisation")
    assert api.get("/Organisation").status_code == 429
    control("POST", "/reset")
    assert control("GET", "/limits").json() == {"limits": RateLimits().to_json(), "connections": []}
