"""The MYOB provider's OAuth adapter against the MYOB emulator: the consent names the
company file (granular keys) or the login's files are listed (legacy keys), refresh
tokens rotate and the newest is kept, and a lapsed consent asks for a reconnect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import (
    AccessRevoked,
    InvalidRequest,
    ProviderRejected,
    ProviderUnavailable,
)
from localdev.emukit import serve_in_thread
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobLimits
from tests.support.myob_emulator_fixtures import new_emulator
from tests.support.myob_provider import Connected, consent, myob_oauth
from tests.support.myob_provider import myob_connected as myob_connected

SECOND_FILE_ID = "0b7f9a64-3d2e-4c1b-8a5f-6e7d8c9b0a1f"


@pytest.fixture
def served():
    emulator = new_emulator(MyobLimits(per_second=100_000))
    emulator.add_company_file("Second Plumbing Co", SECOND_FILE_ID)
    with serve_in_thread(emulator.app) as server:
        yield emulator, server


def test_the_consent_url_asks_for_the_granular_scopes_and_a_prompted_consent(served):
    _emulator, server = served
    url = myob_oauth(server.url).authorization_url("state-1", "challenge-unused")
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == [
        "sme-company-file sme-contacts-customer sme-inventory sme-general-ledger sme-sales"
    ]
    assert query["prompt"] == ["consent"]
    assert query["response_type"] == ["code"]
    assert "code_challenge" not in query  # MYOB documents no PKCE


def test_the_chosen_company_file_is_the_one_granted(served):
    emulator, server = served
    oauth = myob_oauth(server.url)
    callback = consent(emulator, oauth, SECOND_FILE_ID)
    tokens = oauth.exchange_code(callback["code"], "unused")

    named = oauth.organisation_named_in(callback)
    granted = oauth.granted_organisations(tokens, named)

    assert named == SECOND_FILE_ID
    assert [(o.id, o.name) for o in granted] == [(SECOND_FILE_ID, "Second Plumbing Co")]
    assert tokens.expires_at > tokens.expires_at.now(tokens.expires_at.tzinfo)


def test_a_named_file_the_consent_does_not_reach_is_refused(served):
    emulator, server = served
    oauth = myob_oauth(server.url)
    callback = consent(emulator, oauth, DEMO_COMPANY_FILE_ID)
    tokens = oauth.exchange_code(callback["code"], "unused")

    with pytest.raises(InvalidRequest, match="did not grant access to company file"):
        oauth.granted_organisations(tokens, SECOND_FILE_ID)


def test_a_business_id_that_is_not_a_file_id_is_refused_at_the_callback(served):
    _emulator, server = served
    oauth = myob_oauth(server.url)
    assert oauth.organisation_named_in({"businessId": DEMO_COMPANY_FILE_ID}) == (
        DEMO_COMPANY_FILE_ID
    )
    with pytest.raises(InvalidRequest, match="not a MYOB company file id"):
        oauth.organisation_named_in({"businessId": "not-a-guid"})


def test_a_legacy_consent_lists_every_file_the_login_reaches(served):
    emulator, server = served
    oauth = myob_oauth(server.url, scopes=["CompanyFile"], prompt="")
    callback = consent(emulator, oauth)
    tokens = oauth.exchange_code(callback["code"], "unused")

    named = oauth.organisation_named_in(callback)
    granted = oauth.granted_organisations(tokens, named)

    assert named is None
    assert sorted((o.id, o.name) for o in granted) == sorted(
        [(DEMO_COMPANY_FILE_ID, "Loc8 Demo Plumbing"), (SECOND_FILE_ID, "Second Plumbing Co")]
    )


def test_a_granular_consent_without_a_named_file_asks_to_connect_again(served):
    emulator, server = served
    oauth = myob_oauth(server.url, prompt="")  # no prompt: MYOB names no file
    callback = consent(emulator, oauth)
    tokens = oauth.exchange_code(callback["code"], "unused")

    assert oauth.organisation_named_in(callback) is None
    with pytest.raises(ProviderRejected, match="choose a company file"):
        oauth.granted_organisations(tokens, None)


def test_refresh_tokens_rotate_and_the_newest_is_kept(myob_connected: Connected):
    first = myob_connected.tokens
    second = myob_connected.oauth.refresh(first)

    assert second.refresh_token is not None
    assert second.refresh_token.get_secret_value() != first.refresh_token.get_secret_value()
    assert myob_connected.oauth.refresh(second).access_token  # the newest works
    with pytest.raises(AccessRevoked):  # the used one no longer does
        myob_connected.oauth.refresh(first)


def test_a_lapsed_consent_asks_for_a_reconnect_on_refresh_and_on_calls(
    myob_connected: Connected,
):
    myob_connected.emulator.lapse_consent(DEMO_COMPANY_FILE_ID)

    with pytest.raises(AccessRevoked, match="Reconnect"):
        myob_connected.oauth.refresh(myob_connected.tokens)
    with pytest.raises(AccessRevoked, match="consent lapsed"):
        myob_connected.app().accounts()


def test_a_wrong_secret_is_the_operators_to_fix(served):
    emulator, server = served
    oauth = myob_oauth(server.url, secret="not-the-secret")
    callback = consent(emulator, oauth)

    with pytest.raises(ProviderUnavailable, match="operator"):
        oauth.exchange_code(callback["code"], "unused")


def test_an_expired_code_is_refused(served):
    emulator, server = served
    oauth = myob_oauth(server.url)
    callback = consent(emulator, oauth)
    emulator.clock.advance(5 * 60)

    with pytest.raises(ProviderRejected, match="start connecting again"):
        oauth.exchange_code(callback["code"], "unused")
