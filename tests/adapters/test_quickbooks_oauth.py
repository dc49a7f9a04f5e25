"""The QuickBooks Online OAuth adapter against the emulator: consent for one company,
tokens, the granted company, refresh rotation, revocation and disconnection."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.domain.errors import AccessRevoked, InvalidRequest, ProviderRejected
from localdev.quickbooks import DEMO_REALM_ID
from tests.support.quickbooks_provider import Connected, connect_company, consent, qbo_oauth
from tests.support.quickbooks_provider import qbo_connected as qbo_connected

COMPANY_INFO = "/v3/company/{realm}/companyinfo/{realm}"


def _company_info(connected: Connected, access_token: str) -> requests.Response:
    realm = connected.realm_id
    return requests.get(
        f"{connected.server.url}/v3/company/{realm}/companyinfo/{realm}",
        params={"minorversion": "75"},
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=5,
    )


def test_the_consent_url_asks_for_the_accounting_scope_with_the_state_and_no_pkce():
    oauth = qbo_oauth("https://appcenter.example")
    query = parse_qs(urlsplit(oauth.authorization_url("s-1", "challenge")).query)
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["state"] == ["s-1"]
    assert query["response_type"] == ["code"]
    assert "code_challenge" not in query


def test_a_consent_grants_the_one_company_the_user_chose(qbo_connected):
    connected = qbo_connected
    callback = consent(connected.emulator, connected.oauth)
    assert connected.oauth.organisation_named_in(callback) == DEMO_REALM_ID
    tokens = connected.oauth.exchange_code(callback["code"], "unused")
    [company] = connected.oauth.granted_organisations(tokens, DEMO_REALM_ID)
    assert company.id == DEMO_REALM_ID
    assert company.name == "Loc8 Demo Plumbing Pty Ltd"


def test_a_second_company_is_granted_by_its_own_consent(qbo_connected):
    connected = qbo_connected
    other = connected.emulator.add_company("Harbour Heating Ltd", "AU")
    second = connect_company(connected.emulator, connected.server, other.realm_id)
    [company] = second.oauth.granted_organisations(second.tokens, other.realm_id)
    assert (company.id, company.name) == (other.realm_id, "Harbour Heating Ltd")
    # The first consent's tokens do not reach the second company: a 400 telling the
    # user to connect again and choose it (not "access revoked": it never was granted).
    with pytest.raises(InvalidRequest, match=f"did not grant access to company {other.realm_id}"):
        connected.oauth.granted_organisations(connected.tokens, other.realm_id)


def test_a_realm_id_that_is_not_a_company_number_is_refused_at_the_callback(qbo_connected):
    oauth = qbo_connected.oauth
    assert oauth.organisation_named_in({"realmId": DEMO_REALM_ID}) == DEMO_REALM_ID
    assert oauth.organisation_named_in({}) is None
    with pytest.raises(InvalidRequest, match="not a QuickBooks Online company id"):
        oauth.organisation_named_in({"realmId": "abc"})


def test_a_callback_naming_no_company_is_refused_with_a_clear_message(qbo_connected):
    connected = qbo_connected
    assert connected.oauth.organisation_named_in({"code": "c", "state": "s"}) is None
    with pytest.raises(ProviderRejected, match="did not say which company"):
        connected.oauth.granted_organisations(connected.tokens, None)


def test_a_code_is_good_once(qbo_connected):
    connected = qbo_connected
    callback = consent(connected.emulator, connected.oauth)
    connected.oauth.exchange_code(callback["code"], "unused")
    with pytest.raises(ProviderRejected, match="did not accept the authorisation code"):
        connected.oauth.exchange_code(callback["code"], "unused")


def test_a_refresh_keeps_the_newest_refresh_token_and_the_old_one_is_spent(qbo_connected):
    connected = qbo_connected
    first = connected.tokens
    renewed = connected.oauth.refresh(first)
    assert renewed.refresh_token is not None
    assert renewed.access_token.get_secret_value() != first.access_token.get_secret_value()
    assert _company_info(connected, renewed.access_token.get_secret_value()).status_code == 200
    if renewed.refresh_token.get_secret_value() != first.refresh_token.get_secret_value():
        # Intuit may roll the refresh token; the emulator does on every refresh and
        # refuses the old one, which the adapter reads as access to reconnect.
        with pytest.raises(AccessRevoked):
            connected.oauth.refresh(first)
    again = connected.oauth.refresh(renewed)
    assert _company_info(connected, again.access_token.get_secret_value()).status_code == 200


def test_revoking_ends_the_grant_and_counts_as_done_when_repeated(qbo_connected):
    connected = qbo_connected
    connected.oauth.revoke(connected.tokens)
    assert (
        _company_info(connected, connected.tokens.access_token.get_secret_value()).status_code
        == 401
    )
    with pytest.raises(AccessRevoked):
        connected.oauth.refresh(connected.tokens)
    connected.oauth.revoke(connected.tokens)  # already unusable: nothing left to give up


def test_disconnecting_one_company_leaves_another_consent_working(qbo_connected):
    connected = qbo_connected
    other = connected.emulator.add_company("Harbour Heating Ltd", "AU")
    second = connect_company(connected.emulator, connected.server, other.realm_id)
    [company] = connected.oauth.granted_organisations(connected.tokens, DEMO_REALM_ID)
    connected.oauth.disconnect(connected.tokens, company)
    assert (
        _company_info(connected, connected.tokens.access_token.get_secret_value()).status_code
        == 401
    )
    [still] = second.oauth.granted_organisations(second.tokens, other.realm_id)
    assert still.id == other.realm_id
