"""Giving up one integration's Xero access never takes another's (adapter, emulator, HTTP).

Xero keeps connections per Xero user and app, and its revocation endpoint removes all of
them; one login may stand behind two Loc8 businesses, each with its own consent.
"""

from __future__ import annotations

import pytest

from chalicelib.adapters.providers.xero.oauth import XeroOAuth
from chalicelib.domain.errors import AccessRevoked
from chalicelib.domain.integration import Organisation
from chalicelib.domain.tokens import TokenSet
from localdev.xero import DEMO_TENANT_ID
from localdev.xero.emulator import XeroEmulator
from tests.support.xero_emulator_fixtures import VERIFIER, consented_code, xero_oauth

REVOCATION = "POST /connect/revocation"


def consent(
    emulator: XeroEmulator, oauth: XeroOAuth, tenant_id: str
) -> tuple[TokenSet, Organisation]:
    """The same Xero user grants one organisation; returns it with the consent's tokens."""
    tokens = oauth.exchange_code(consented_code(emulator, oauth, [tenant_id]), VERIFIER)
    [organisation] = [o for o in oauth.granted_organisations(tokens) if o.id == tenant_id]
    return tokens, organisation


def connected_tenants(emulator: XeroEmulator) -> set[str]:
    return {connection.tenant_id for connection in emulator.connections()}


@pytest.fixture
def two_businesses(xero) -> tuple[XeroEmulator, XeroOAuth, tuple, tuple]:
    """Demo Company for the first business, a plumbing firm for the second."""
    emulator, server = xero
    oauth = xero_oauth(server)
    plumbing = emulator.add_organisation("Loc8 Plumbing Pty Ltd").tenant_id
    return (
        emulator,
        oauth,
        consent(emulator, oauth, DEMO_TENANT_ID),
        consent(emulator, oauth, plumbing),
    )


def test_disconnecting_one_keeps_the_other_organisation_and_its_tokens(two_businesses):
    emulator, oauth, (first, demo), (second, plumbing) = two_businesses

    oauth.disconnect(first, demo)

    assert connected_tenants(emulator) == {plumbing.id}
    assert emulator.calls[REVOCATION] == 0
    assert oauth.granted_organisations(oauth.refresh(second)) == [plumbing]


def test_disconnecting_the_last_one_revokes_its_grant(two_businesses):
    emulator, oauth, (first, demo), (second, plumbing) = two_businesses
    oauth.disconnect(first, demo)

    oauth.disconnect(second, plumbing)

    assert connected_tenants(emulator) == set()
    assert emulator.calls[REVOCATION] == 1
    with pytest.raises(AccessRevoked):
        oauth.refresh(second)


def test_giving_up_unused_tokens_leaves_the_users_connections(two_businesses):
    # As after a consent that could not be completed: its tokens are not used, but
    # revoking them would remove the other business's organisation too.
    emulator, oauth, (first, _demo), (_second, plumbing) = two_businesses

    oauth.revoke(first)

    assert connected_tenants(emulator) == {DEMO_TENANT_ID, plumbing.id}
    assert emulator.calls[REVOCATION] == 0


def test_an_organisation_the_user_removed_in_xero_still_disconnects(two_businesses):
    emulator, oauth, (first, demo), (_second, plumbing) = two_businesses
    assert emulator.disconnect_in_xero(DEMO_TENANT_ID)

    oauth.disconnect(first, demo)  # DELETE answers 404: already done

    assert emulator.calls["DELETE /connections/{id}"] == 1
    assert connected_tenants(emulator) == {plumbing.id}
    assert emulator.calls[REVOCATION] == 0


def test_tokens_xero_no_longer_accepts_are_given_up_without_a_call(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    tokens, _organisation = consent(emulator, oauth, DEMO_TENANT_ID)
    assert tokens.refresh_token is not None
    emulator.oauth.revoke(
        emulator.registered_app.client_id, tokens.refresh_token.get_secret_value()
    )

    oauth.revoke(tokens)

    assert emulator.calls[REVOCATION] == 0


def test_an_integration_never_bound_to_an_organisation_only_revokes(xero):
    emulator, server = xero
    oauth = xero_oauth(server)
    tokens, _organisation = consent(emulator, oauth, DEMO_TENANT_ID)
    emulator.disconnect_in_xero(DEMO_TENANT_ID)

    oauth.disconnect(tokens, None)

    assert emulator.calls["DELETE /connections/{id}"] == 0
    assert emulator.calls[REVOCATION] == 1
