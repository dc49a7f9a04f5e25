"""Loc8 JWTs signed with RS256 and published as a JWKS, fetched over real HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.api.auth import JwksKeys, JwtVerifier
from chalicelib.domain.errors import NotAuthenticated, TemporarilyUnavailable

PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(kid: str) -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE_KEY.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture
def jwks_server() -> Iterator[dict]:
    served = {"keys": [jwk("key-1")], "hits": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served["hits"] += 1
            status, body = served.get("answer") or (200, json.dumps({"keys": served["keys"]}))
            body = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    served["url"] = f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    yield served
    server.shutdown()


def rs256(key=PRIVATE_KEY, kid: str = "key-1", **overrides) -> str:
    claims = {
        "sub": "u1",
        "tenant_id": "tenant-a",
        "roles": ["admin"],
        "exp": int(time.time()) + 600,
        "iss": "loc8",
        "aud": "loc8-integrations",
        **overrides,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def verifier(url: str) -> JwtVerifier:
    return JwtVerifier(audience="loc8-integrations", issuer="loc8", jwks=JwksKeys(url, (1, 2)))


def test_an_rs256_token_from_the_jwks_is_accepted(jwks_server):
    principal = verifier(jwks_server["url"]).verify(rs256())
    assert (principal.tenant_id, principal.is_admin) == ("tenant-a", True)


def test_keys_are_cached_between_requests(jwks_server):
    subject = verifier(jwks_server["url"])
    for _ in range(5):
        subject.verify(rs256())
    assert jwks_server["hits"] == 1


def test_a_token_signed_by_another_key_is_refused(jwks_server):
    with pytest.raises(NotAuthenticated):
        verifier(jwks_server["url"]).verify(rs256(key=OTHER_KEY))


def test_an_unknown_kid_is_refused(jwks_server):
    with pytest.raises(NotAuthenticated, match="unknown key"):
        verifier(jwks_server["url"]).verify(rs256(kid="key-9"))


def test_an_hs256_token_is_refused_when_only_a_jwks_is_configured(jwks_server):
    forged = jwt.encode(
        {
            "sub": "u",
            "tenant_id": "t",
            "exp": int(time.time()) + 60,
            "iss": "loc8",
            "aud": "loc8-integrations",
        },
        "guessable-secret-guessable-secret!",
        algorithm="HS256",
    )
    with pytest.raises(NotAuthenticated):
        verifier(jwks_server["url"]).verify(forged)


def test_an_unreachable_jwks_is_a_retryable_outage_not_a_bad_token():
    with pytest.raises(TemporarilyUnavailable, match="unavailable") as outage:
        verifier("http://127.0.0.1:9/jwks.json").verify(rs256())
    assert outage.value.retry_after_seconds > 0


@pytest.mark.parametrize(("status", "body"), [(500, b"oops"), (200, b"<html>maintenance</html>")])
def test_a_jwks_endpoint_answering_garbage_is_an_outage(jwks_server, status, body):
    jwks_server["answer"] = (status, body)
    with pytest.raises(TemporarilyUnavailable):
        verifier(jwks_server["url"]).verify(rs256())


def test_a_burst_of_unknown_kids_refetches_the_keys_at_most_once(jwks_server):
    subject = verifier(jwks_server["url"])
    subject.verify(rs256())
    for _ in range(5):
        with pytest.raises(NotAuthenticated, match="unknown key"):
            subject.verify(rs256(kid="key-9"))
    assert jwks_server["hits"] == 1, "within the cooldown an unknown kid is refused from cache"


def test_a_rotated_key_is_fetched_when_its_kid_first_appears(jwks_server):
    subject = JwtVerifier(
        audience="loc8-integrations",
        issuer="loc8",
        jwks=JwksKeys(jwks_server["url"], (1, 2), unknown_kid_cooldown_seconds=0),
    )
    subject.verify(rs256())
    jwks_server["keys"] = [jwk("key-1"), jwk("key-2")]
    assert subject.verify(rs256(kid="key-2")).tenant_id == "tenant-a"
    assert jwks_server["hits"] == 2


def test_a_non_admin_role_is_not_admin(jwks_server):
    principal = verifier(jwks_server["url"]).verify(rs256(roles=["technician"]))
    assert not principal.is_admin
