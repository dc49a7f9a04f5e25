"""The Xero Accounting client against the emulator: settings reads, errors, rate budget."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.domain.errors import AccessRevoked, RateLimited
from chalicelib.domain.oauth_state import pkce_challenge
from localdev.xero import DEMO_TENANT_ID
from tests.xero_emulator_fixtures import xero_oauth

VERIFIER = "v" * 64


@pytest.fixture
def connected(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    code = parse_qs(
        urlsplit(emulator.consent(oauth.authorization_url("s", pkce_challenge(VERIFIER)))).query
    )["code"][0]
    tokens = {"current": oauth.exchange_code(code, VERIFIER)}
    refreshes: list[bool] = []

    def access_token(force_refresh: bool) -> str:
        if force_refresh:
            refreshes.append(True)
            tokens["current"] = oauth.refresh(tokens["current"])
        return tokens["current"].access_token.get_secret_value()

    client = XeroAccounting(
        api_url=server.url,
        tenant_id=DEMO_TENANT_ID,
        access_token=access_token,
        timeout=(1.0, 5.0),
        session=requests.Session(),
    )
    return emulator, client, refreshes, access_token


def test_the_chart_of_accounts_is_read_with_classes_and_statuses(connected):
    _emulator, client, _, _ = connected
    accounts = {account.code: account for account in client.accounts()}
    assert accounts["200"].name == "Sales"
    assert accounts["200"].takes_sales
    assert accounts["200"].is_active
    assert not accounts["090"].takes_sales
    assert any(not account.is_active for account in accounts.values())


def test_tax_rates_are_read_with_their_rates(connected):
    _emulator, client, _, _ = connected
    rates = {rate.code: rate for rate in client.tax_rates()}
    assert rates["OUTPUT"].rate == Decimal("10")
    assert rates["OUTPUT"].applies_to_revenue
    assert not rates["INPUT"].applies_to_revenue


def test_the_rate_budget_is_read_from_every_response(connected):
    _emulator, client, _, _ = connected
    client.accounts()
    first = client.budget.minute_remaining
    client.tax_rates()
    assert first is not None
    assert client.budget.minute_remaining == first - 1
    assert client.budget.day_remaining is not None


def test_an_expired_token_is_refreshed_once_and_the_call_retried(connected):
    emulator, client, refreshes, _ = connected
    emulator.clock.advance(31 * 60)
    assert client.accounts()
    assert refreshes == [True]


def test_a_429_says_which_limit_and_how_long_to_wait(connected):
    emulator, client, _, _ = connected
    emulator.faults.add(
        "GET",
        "/api.xro/2.0/TaxRates",
        status=429,
        headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
    )
    with pytest.raises(RateLimited) as limited:
        client.tax_rates()
    assert (limited.value.problem, limited.value.retry_after_seconds) == ("minute", 37)


def test_an_organisation_no_longer_connected_is_access_revoked(connected):
    emulator, client, _, access_token = connected
    [connection] = emulator.connections()
    # The user disconnects the organisation in Xero.
    emulator.app.test_client().delete(
        f"/connections/{connection.id}",
        headers={"Authorization": f"Bearer {access_token(False)}"},
    )
    with pytest.raises(AccessRevoked):
        client.accounts()
