"""Writes through `/batch`: up to 30 operations a request, each answered on its own.

Each request carries a `requestid` derived from the core's idempotency key, so the
same request sent again (its answer lost) gets QuickBooks' first answer instead of
a second record. Updates, voids and deletes need the record's current `SyncToken`:
it is taken from the last read or write of the record, else read (one query per
entity); an operation QuickBooks refuses as stale (5010) is read again and retried
once (its new SyncToken makes it a request of its own), then reported as
`STALE_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient
from chalicelib.adapters.providers.quickbooks.failures import (
    fault_errors,
    is_throttled,
    messages,
    write_failure,
)
from chalicelib.adapters.providers.quickbooks.limits import THROTTLED_WAIT_SECONDS
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.adapters.providers.quickbooks.query import where_in
from chalicelib.domain.accounting import WriteResult
from chalicelib.domain.app_profile import WriteFailure

MAX_OPERATIONS = QUICKBOOKS_PROFILE.write_batch_size
THROTTLED_MESSAGE = (
    "QuickBooks Online's rate limit stopped this record; it is tried again on the next run."
)


def request_id(idempotency_key: str, body: Any) -> str:
    """A UUID from the core's key and the exact body: Intuit's requestid is at most 50
    characters. The same key and body (a request whose answer was lost) give the same
    id, so QuickBooks replays its answer; the same key with another body (a SyncToken
    read again since) is another request and gets another id, never a replay of an
    answer to something else."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"loc8:{idempotency_key}:{digest}"))


@dataclass(frozen=True)
class Operation:
    """One record to write: `body(sync_token)` builds what is sent."""

    entity: str
    operation: str  # create | update | void | delete
    body: Callable[[str | None], dict[str, Any]]
    parse: Callable[[dict[str, Any]], Any]
    record_id: str | None = None

    @property
    def needs_token(self) -> bool:
        return self.record_id is not None


class Known:
    """The latest copy of each record this adapter read or wrote, by entity and Id:
    its SyncToken and references (an invoice's customer) without another read."""

    def __init__(self, client: QuickBooksClient) -> None:
        self._client = client
        self._records: dict[tuple[str, str], dict[str, Any]] = {}

    def remember(self, entity: str, record: dict[str, Any]) -> None:
        if record.get("Id") is not None:
            self._records[(entity, str(record["Id"]))] = record

    def get(self, entity: str, record_id: str) -> dict[str, Any] | None:
        return self._records.get((entity, record_id))

    def sync_token(self, entity: str, record_id: str) -> str | None:
        record = self.get(entity, record_id)
        return str(record["SyncToken"]) if record and "SyncToken" in record else None

    def load(self, entity: str, ids: Sequence[str], *, again: bool = False) -> None:
        """Read the records not known yet (all of them with `again`), a query per 30."""
        wanted = sorted({i for i in ids if again or (entity, i) not in self._records})
        for start in range(0, len(wanted), MAX_OPERATIONS):
            group = wanted[start : start + MAX_OPERATIONS]
            found = self._client.query(
                where_in(entity, "Id", group), operation=f"read_{entity.lower()}s"
            )
            for record in found.get(entity) or []:
                self.remember(entity, record)


class BatchWriter:
    def __init__(
        self, client: QuickBooksClient, known: Known, after_write: Callable[[], None]
    ) -> None:
        self._client = client
        self._known = known
        # Told after every batch sent: what was read before it may now be out of date.
        self._after_write = after_write

    def write(self, operations: list[Operation], idempotency_key: str) -> list[WriteResult[Any]]:
        if len(operations) > MAX_OPERATIONS:
            raise ValueError(f"QuickBooks takes at most {MAX_OPERATIONS} operations per batch.")
        if not operations:
            return []
        self._load_tokens(operations, again=False)
        try:
            results = self._send(operations, idempotency_key)
        finally:
            self._after_write()
        stale = [i for i, r in enumerate(results) if r.reason is WriteFailure.STALE_VERSION]
        if stale:
            retried = [operations[i] for i in stale]
            self._load_tokens(retried, again=True)
            try:
                again = self._send(retried, idempotency_key)
            finally:
                self._after_write()
            for index, result in zip(stale, again, strict=True):
                results[index] = result
        return results

    def _load_tokens(self, operations: Sequence[Operation], *, again: bool) -> None:
        by_entity: dict[str, list[str]] = {}
        for op in operations:
            if op.record_id is not None:
                by_entity.setdefault(op.entity, []).append(op.record_id)
        for entity, ids in by_entity.items():
            self._known.load(entity, ids, again=again)

    def _send(
        self, operations: Sequence[Operation], idempotency_key: str
    ) -> list[WriteResult[Any]]:
        items = []
        for index, op in enumerate(operations):
            token = self._known.sync_token(op.entity, op.record_id) if op.record_id else None
            items.append({"bId": str(index), "operation": op.operation, op.entity: op.body(token)})
        request = {"BatchItemRequest": items}
        body = self._client.call(
            "POST",
            "batch",
            operation=f"batch_{operations[0].entity.lower()}",
            params={"requestid": request_id(idempotency_key, request)},
            json_body=request,
        )
        answers = {
            str(answer.get("bId")): answer
            for answer in body.get("BatchItemResponse") or []
            if isinstance(answer, dict)
        }
        return [self._result(op, answers.get(str(index))) for index, op in enumerate(operations)]

    def _result(self, op: Operation, answer: dict[str, Any] | None) -> WriteResult[Any]:
        if answer is None:
            return WriteResult(ok=False, reason=WriteFailure.UNKNOWN)
        errors = fault_errors(answer)
        if errors:
            if is_throttled(errors):
                self._client.rate.throttled(batch=True, seconds=THROTTLED_WAIT_SECONDS)
                return WriteResult(
                    ok=False, errors=[THROTTLED_MESSAGE], reason=WriteFailure.UNKNOWN
                )
            return WriteResult(ok=False, errors=messages(errors), reason=write_failure(errors))
        record = answer.get(op.entity)
        if not isinstance(record, dict):
            return WriteResult(ok=False, reason=WriteFailure.UNKNOWN)
        self._known.remember(op.entity, record)
        return WriteResult(ok=True, record=op.parse(record))
