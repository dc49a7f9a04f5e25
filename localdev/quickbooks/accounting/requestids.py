"""`requestid`: a write repeated with the same id gets the first answer, not a second write.

Intuit: a client may add `requestid` to a write; the service remembers it per company
and app and answers a repeat with the original response. The emulator keeps ids for
`LIFETIME` on its clock, replays every answer (errors too, byte for byte) and - stricter
than Intuit documents - refuses the same id for a different request (another path,
operation or body), so a client that reuses ids by mistake finds out here. Intuit's
guidance caps an id at 50 characters; longer ones are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Response

from localdev.emukit import Clock, IdempotencyStore, KeyReused, canonical_json, fingerprint
from localdev.quickbooks.accounting import faults

LIFETIME = timedelta(hours=24)
MAX_LENGTH = 50
PARAMETER = "requestid"


class RequestIds:
    def __init__(self, clock: Clock, lifetime: timedelta = LIFETIME) -> None:
        self._store = IdempotencyStore(clock, lifetime)

    def run(
        self,
        scope: tuple[str, str],
        request_id: str,
        method: str,
        path: str,
        query: str,
        body: bytes,
        handler: Callable[[], Response],
    ) -> Response:
        if not request_id.strip() or len(request_id) > MAX_LENGTH:
            raise faults.invalid_value(
                f"requestid must be 1 to {MAX_LENGTH} characters; got {len(request_id)}",
                PARAMETER,
            )
        request_print = fingerprint(method, path, query, canonical_json(body))
        try:
            return self._store.run(scope, request_id, request_print, handler)
        except KeyReused:
            raise faults.duplicate_request_id(request_id) from None

    def clear(self) -> None:
        self._store.clear()
