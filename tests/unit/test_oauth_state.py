"""Signing the OAuth state, and the PKCE verifier derived from it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidOAuthState
from chalicelib.domain.oauth_state import StateSigner, pkce_challenge

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = b"k" * 32


def signer(key: bytes = KEY) -> StateSigner:
    return StateSigner(key, timedelta(minutes=10))


def test_a_signed_state_round_trips_with_its_bindings():
    state = signer().issue("tenant-a", "int_1", "xero", NOW, initiator="user-1")
    verified = signer().verify(signer().sign(state), "xero", NOW + timedelta(minutes=9))
    assert (verified.tenant_id, verified.integration_id, verified.nonce) == (
        "tenant-a",
        "int_1",
        state.nonce,
    )


def test_each_state_is_unique():
    assert (
        signer().issue("t", "i", "xero", NOW, initiator="user-1").nonce
        != signer().issue("t", "i", "xero", NOW, initiator="user-1").nonce
    )


def test_a_state_signed_with_another_key_is_refused():
    token = signer(b"x" * 32).sign(signer().issue("t", "i", "xero", NOW, initiator="user-1"))
    with pytest.raises(InvalidOAuthState):
        signer().verify(token, "xero", NOW)


def test_a_tampered_state_is_refused():
    token = signer().sign(signer().issue("t", "i", "xero", NOW, initiator="user-1"))
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidOAuthState):
        signer().verify(f"{header}.{payload}x.{signature}", "xero", NOW)


def test_a_state_expires_after_ten_minutes():
    token = signer().sign(signer().issue("t", "i", "xero", NOW, initiator="user-1"))
    with pytest.raises(InvalidOAuthState, match="expired"):
        signer().verify(token, "xero", NOW + timedelta(minutes=10))


def test_a_state_is_bound_to_its_app():
    token = signer().sign(signer().issue("t", "i", "xero", NOW, initiator="user-1"))
    with pytest.raises(InvalidOAuthState):
        signer().verify(token, "myob", NOW)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_is_refused(garbage):
    with pytest.raises(InvalidOAuthState):
        signer().verify(garbage, "xero", NOW)


def test_the_pkce_verifier_is_stable_per_state_and_follows_rfc_7636():
    state = signer().issue("t", "i", "xero", NOW, initiator="user-1")
    verifier = signer().pkce_verifier(state.nonce)
    assert verifier == signer().pkce_verifier(state.nonce)
    assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier)
    other = signer().pkce_verifier(signer().issue("t", "i", "xero", NOW, initiator="user-1").nonce)
    assert other != verifier


def test_the_challenge_is_the_s256_of_the_verifier():
    # RFC 7636 appendix B's example pair.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="32 bytes"):
        StateSigner(b"short", timedelta(minutes=10))
