"""A consent the app granted, parked until the Loc8 user who started it finishes it.

The callback is reached by whichever browser completes the app's consent page, so it
only parks the authorisation code; the exchange waits for the same Loc8 user (and
tenant) to present the completion handle with their own token (RFC 9700 §4.7).

The handle is the only way in: the store keys a parked grant by a digest of it, and
the code is sealed (AES-GCM) under a key derived from it, so the table alone holds
nothing an attacker could exchange. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from chalicelib.domain.errors import InvalidOAuthState
from chalicelib.domain.oauth_state import OAuthState

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Long enough to come back from the app's page and load the web client, short enough
# that a handle left in a browser's history is worthless (the app's code may lapse
# sooner: some apps' codes live only five minutes).
PARKED_GRANT_TTL = timedelta(minutes=10)
_NONCE_BYTES = 12

HANDLE_GONE = "This consent was already finished or has expired; start connecting again."


class ParkedGrant(BaseModel):
    key: str
    tenant_id: str
    integration_id: str
    app: str
    initiator_digest: str
    state_nonce: str
    sealed_code: str
    expires_at: datetime
    # The organisation the app's callback named (one organisation per consent), if any.
    named_organisation: str | None = None


class GrantSealer:
    """Parks codes under fresh handles and opens them again; `key` is this service's secret."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("The grant sealing key must be at least 32 bytes.")
        self._key = key

    def park(
        self,
        state: OAuthState,
        code: str,
        now: datetime,
        named_organisation: str | None = None,
    ) -> tuple[str, ParkedGrant]:
        """A new handle and the grant to store under it."""
        handle = secrets.token_urlsafe(32)
        key = self.key_of(handle)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = _aead(self._sealing_key(handle)).encrypt(nonce, code.encode(), key.encode())
        parked = ParkedGrant(
            key=key,
            tenant_id=state.tenant_id,
            integration_id=state.integration_id,
            app=state.app,
            initiator_digest=state.initiator_digest,
            state_nonce=state.nonce,
            sealed_code=_b64url(nonce + sealed),
            expires_at=now + PARKED_GRANT_TTL,
            named_organisation=named_organisation,
        )
        return handle, parked

    def key_of(self, handle: str) -> str:
        """Where the grant of `handle` is stored: a digest, so the table never holds a handle."""
        return hmac.new(self._key, f"handle:{handle}".encode(), hashlib.sha256).hexdigest()

    def code_of(self, handle: str, parked: ParkedGrant) -> str:
        from cryptography.exceptions import InvalidTag

        try:
            raw = _unb64url(parked.sealed_code)
            opened = _aead(self._sealing_key(handle)).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], parked.key.encode()
            )
        except (InvalidTag, ValueError) as error:
            raise InvalidOAuthState(HANDLE_GONE) from error
        return opened.decode()

    def _sealing_key(self, handle: str) -> bytes:
        return hmac.new(self._key, f"seal:{handle}".encode(), hashlib.sha256).digest()


def _aead(key: bytes) -> AESGCM:
    # Imported on first use: most requests never park or open a grant.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
