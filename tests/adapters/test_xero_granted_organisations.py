"""Which organisations a Xero consent granted: only those of its own auth event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import ProviderRejected
from chalicelib.domain.oauth_state import pkce_challenge
from chalicelib.domain.tokens import TokenSet
from localdev.xero import DEMO_TENANT_ID
from tests.support.xero_emulator_fixtures import xero_oauth

VERIFIER = "v" * 64


def consent(emulator, oauth, tenant_ids: list[str]) -> TokenSet:
    url = oauth.authorization_url("state", pkce_challenge(VERIFIER))
    code = parse_qs(urlsplit(emulator.consent(url, tenant_ids=tenant_ids)).query)["code"][0]
    return oauth.exchange_code(code, VERIFIER)


def test_an_earlier_consents_organisations_are_not_reported(xero):
    emulator, server = xero
    second = emulator.add_organisation("Second Trade Co")
    oauth = xero_oauth(server)
    earlier = consent(emulator, oauth, [DEMO_TENANT_ID])
    latest = consent(emulator, oauth, [second.tenant_id])

    assert [org.name for org in oauth.granted_organisations(latest)] == ["Second Trade Co"]
    # Xero itself still lists both to either token: the earlier consent's connection is
    # the Xero user's, not this consent's.
    assert [org.name for org in oauth.granted_organisations(earlier)] == ["Demo Company (AU)"]
    assert emulator.calls["GET /connections"] == 2


def test_a_token_that_names_no_auth_event_is_refused_before_any_call(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    opaque = TokenSet(
        access_token="not-a-jwt", expires_at=datetime.now(UTC) + timedelta(minutes=30)
    )
    with pytest.raises(ProviderRejected, match="which organisations"):
        oauth.granted_organisations(opaque)
    assert emulator.calls["GET /connections"] == 0
