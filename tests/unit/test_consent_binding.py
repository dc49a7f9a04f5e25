"""Binding a consent to who started it: the state's initiator and the parked grant's seal."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.domain.errors import InvalidOAuthState
from chalicelib.domain.oauth_state import STATE_AUDIENCE, StateSigner
from chalicelib.domain.parked_grant import PARKED_GRANT_TTL, GrantSealer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = b"k" * 32
SIGNER = StateSigner(KEY, timedelta(minutes=10))


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_the_state_names_its_initiator_only_as_a_keyed_digest():
    state = SIGNER.issue("tenant-a", "int_1", "xero", NOW, initiator="alice@loc8")
    token = SIGNER.sign(state)
    assert "alice" not in json.dumps(payload(token))
    verified = SIGNER.verify(token, "xero", NOW)
    assert SIGNER.is_initiator(verified.initiator_digest, "alice@loc8")
    assert not SIGNER.is_initiator(verified.initiator_digest, "bob@loc8")
    other_key = StateSigner(b"o" * 32, timedelta(minutes=10))
    assert not other_key.is_initiator(verified.initiator_digest, "alice@loc8")


COMPLETE = {"jti": "n", "tid": "t", "iid": "i", "app": "xero", "uid": "u"}


@pytest.mark.parametrize("missing", sorted(COMPLETE))
def test_a_validly_signed_state_missing_a_claim_is_refused(missing):
    claims = {**COMPLETE, "exp": int(NOW.timestamp()) + 60, "aud": STATE_AUDIENCE}
    del claims[missing]
    with pytest.raises(InvalidOAuthState):
        SIGNER.verify(jwt.encode(claims, KEY, algorithm="HS256"), "xero", NOW)


@pytest.mark.parametrize(
    "wrong",
    [{"exp": "soon"}, {"exp": 1e12}, {"exp": 10**30}, {"exp": True}, {"tid": 7}, {"uid": ""}],
)
def test_a_validly_signed_state_with_a_malformed_claim_is_refused(wrong):
    claims = {**COMPLETE, "exp": int(NOW.timestamp()) + 60, "aud": STATE_AUDIENCE, **wrong}
    with pytest.raises(InvalidOAuthState):
        SIGNER.verify(jwt.encode(claims, KEY, algorithm="HS256"), "xero", NOW)


def parked(code: str = "the-code"):
    state = SIGNER.issue("tenant-a", "int_1", "xero", NOW, initiator="alice")
    sealer = GrantSealer(SIGNER.derived_key("parked-grant"))
    handle, grant = sealer.park(state, code, NOW)
    return sealer, handle, grant, state


def test_a_parked_code_opens_only_with_its_handle():
    sealer, handle, grant, state = parked()
    assert sealer.code_of(handle, grant) == "the-code"
    assert grant.key == sealer.key_of(handle)
    assert (grant.tenant_id, grant.integration_id, grant.state_nonce) == (
        "tenant-a",
        "int_1",
        state.nonce,
    )
    assert grant.expires_at == NOW + PARKED_GRANT_TTL
    _, other_handle, _, _ = parked()
    with pytest.raises(InvalidOAuthState):
        sealer.code_of(other_handle, grant)


def test_what_is_stored_holds_neither_the_code_nor_the_handle():
    _sealer, handle, grant, _state = parked("a-very-recognisable-code")
    stored = grant.model_dump_json()
    assert "a-very-recognisable-code" not in stored
    assert handle not in stored


def test_a_tampered_seal_does_not_open():
    sealer, handle, grant, _state = parked()
    flipped = grant.model_copy(update={"sealed_code": grant.sealed_code[:-2] + "AA"})
    with pytest.raises(InvalidOAuthState):
        sealer.code_of(handle, flipped)
    moved = grant.model_copy(update={"key": sealer.key_of("another-handle")})
    with pytest.raises(InvalidOAuthState):
        sealer.code_of(handle, moved)
