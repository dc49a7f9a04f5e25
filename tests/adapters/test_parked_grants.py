"""Parked grants in DynamoDB (moto): taken once, within their time, returned or discarded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.oauth_state_store import DynamoOAuthStateStore
from chalicelib.domain.oauth_state import StateSigner
from chalicelib.domain.parked_grant import GrantSealer
from tests.support.settings import TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SIGNER = StateSigner(b"k" * 32, timedelta(minutes=10))
SEALER = GrantSealer(SIGNER.derived_key("parked-grant"))


@pytest.fixture
def states(aws) -> DynamoOAuthStateStore:
    return DynamoOAuthStateStore(DynamoTable(TABLE))


def park(states: DynamoOAuthStateStore):
    state = SIGNER.issue("t1", "int_1", "xero", NOW, initiator="user-1")
    handle, grant = SEALER.park(state, "code-1", NOW)
    states.park(grant)
    return handle, grant


def test_a_parked_grant_reads_back_and_is_taken_once(states):
    handle, grant = park(states)
    taken = states.take_parked(SEALER.key_of(handle), NOW)
    assert taken == grant
    assert SEALER.code_of(handle, taken) == "code-1"
    assert states.take_parked(grant.key, NOW) is None


def test_a_returned_grant_can_be_taken_again(states):
    _handle, grant = park(states)
    assert states.take_parked(grant.key, NOW) is not None
    states.return_parked(grant.key)
    assert states.take_parked(grant.key, NOW) is not None


def test_an_expired_or_discarded_grant_cannot_be_taken(states):
    _handle, grant = park(states)
    assert states.take_parked(grant.key, NOW + timedelta(minutes=10)) is None
    states.discard_parked(grant.key)
    assert states.take_parked(grant.key, NOW) is None
    states.return_parked(grant.key)  # harmless once gone
    assert states.take_parked(grant.key, NOW) is None


def test_an_unknown_key_is_none(states):
    assert states.take_parked(SEALER.key_of("never-issued"), NOW) is None
