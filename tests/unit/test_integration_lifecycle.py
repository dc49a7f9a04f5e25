"""The integration state machine, as ARCHITECTURE.md's lifecycle describes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidRequest, InvalidTransition
from chalicelib.domain.integration import (
    ALLOWED_TRANSITIONS,
    Integration,
    IntegrationStatus,
    Organisation,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
S = IntegrationStatus
ONE = [Organisation(id="o1", name="One", connection_id="c1")]
TWO = [*ONE, Organisation(id="o2", name="Two", connection_id="c2")]


def integration(status: S = S.PENDING_AUTHORISATION, **fields) -> Integration:
    return Integration(
        tenant_id="t", app="xero", status=status, created_at=NOW, updated_at=NOW, **fields
    )


def test_one_granted_organisation_is_bound_at_once():
    subject = integration()
    subject.grant(ONE, NOW)
    assert subject.status is S.AUTHORISED
    assert subject.organisation == ONE[0]
    assert subject.has_tokens


def test_several_granted_organisations_wait_for_a_choice():
    subject = integration()
    subject.grant(TWO, NOW)
    assert subject.status is S.CHOOSE_ORGANISATION
    assert subject.organisation is None
    chosen = subject.choose_organisation("o2", NOW)
    assert chosen.name == "Two"
    assert subject.status is S.AUTHORISED
    assert subject.organisations == []


def test_nothing_granted_is_refused_without_changing_state():
    subject = integration()
    with pytest.raises(InvalidRequest):
        subject.grant([], NOW)
    assert subject.status is S.PENDING_AUTHORISATION


def test_reconnect_keeps_the_bound_organisation_and_clears_attention():
    subject = integration(S.AUTHORISED, organisation=ONE[0], has_tokens=True)
    subject.require_reconnect("Xero access was revoked; reconnect.", NOW)
    assert subject.status is S.NEEDS_RECONNECT
    assert subject.attention is not None
    subject.grant(TWO, NOW)
    assert subject.status is S.AUTHORISED
    assert subject.organisation is not None
    assert subject.organisation.id == "o1"
    assert subject.attention is None


def test_reconnect_of_a_configured_integration_resumes_syncing():
    subject = integration(S.NEEDS_RECONNECT, organisation=ONE[0], config={"sync": {}})
    subject.grant(ONE, NOW)
    assert subject.status is S.ACTIVE


def test_reauthorising_a_paused_integration_keeps_it_paused():
    subject = integration(S.PAUSED, organisation=ONE[0], config={"sync": {}})
    subject.grant(ONE, NOW)
    assert subject.status is S.PAUSED


def test_reconnect_without_the_bound_organisation_is_refused_and_changes_nothing():
    subject = integration(S.NEEDS_RECONNECT, organisation=ONE[0])
    with pytest.raises(InvalidRequest, match="One"):
        subject.grant([Organisation(id="o2", name="Two")], NOW)
    assert subject.status is S.NEEDS_RECONNECT
    assert subject.organisation == ONE[0]


def test_choosing_is_only_possible_while_asked():
    with pytest.raises(InvalidTransition):
        integration(S.AUTHORISED).choose_organisation("o1", NOW)


def test_unknown_choice_is_refused():
    subject = integration()
    subject.grant(TWO, NOW)
    with pytest.raises(InvalidRequest):
        subject.choose_organisation("o9", NOW)


def test_disconnected_is_final():
    subject = integration(S.ACTIVE, organisation=ONE[0])
    subject.disconnect(NOW)
    assert subject.status is S.DISCONNECTED
    assert not subject.has_tokens
    with pytest.raises(InvalidTransition):
        subject.ensure_can_authorise()
    with pytest.raises(InvalidTransition):
        subject.grant(ONE, NOW)
    assert ALLOWED_TRANSITIONS[S.DISCONNECTED] == frozenset()


@pytest.mark.parametrize("status", [s for s in S if s is not S.DISCONNECTED])
def test_every_state_can_be_disconnected(status):
    subject = integration(status)
    subject.disconnect(NOW)
    assert subject.status is S.DISCONNECTED


def test_pending_cannot_need_reconnect():
    with pytest.raises(InvalidTransition):
        integration().require_reconnect("x", NOW)


def test_transitions_stamp_updated_at():
    later = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    subject = integration()
    subject.grant(ONE, later)
    assert subject.updated_at == later
