"""Sync runs in DynamoDB, newest first per integration, plus the integration's job slot.

The slot (`INTEGRATION#<id>` / `JOBSLOT`) names the one run that is queued or running;
a second request while it is held gets that run back instead of a new one. A slot
whose holder vanished expires, so a lost message never blocks syncing for good. A
worker also promises when it will next show it is alive (`alive_until_ms`); a slot
whose worker missed that is taken over by the next request, which closes the silent
run as abandoned in the same transaction, so two takers can never both win. The
slot is also in the fan-out index (GSI1) right after its integration, so the scheduler
sees busy integrations in the Query it already makes. Runs carry a TTL: history is kept
for `retention` after a run finished (or was queued), then DynamoDB deletes it.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.batch_retry import Backoff, until_processed
from chalicelib.adapters.dynamodb import (
    FAN_OUT_INDEX_KEY,
    GSI1PK,
    GSI1SK,
    PK,
    SK,
    TTL_ATTRIBUTE,
    DynamoTable,
    condition_failed,
    fan_out_sort_key,
    json_attribute,
    number_attr,
    string_attr,
)
from chalicelib.domain.errors import ConcurrentUpdate, InvalidRequest, NotFound
from chalicelib.domain.sync_run import RunTakenOver, SyncRun

SLOT = "JOBSLOT"
# How long run history is kept; DynamoDB's TTL then deletes the run (within days).
RUN_RETENTION = timedelta(days=90)
# A slot whose holder vanished is deleted (DynamoDB TTL) this long after it expired,
# so lost slots do not pile up in the fan-out index.
SLOT_CLEANUP_DELAY = timedelta(days=1)
CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_ATTEMPTS = 3


def _partition(integration_id: str) -> dict[str, str]:
    return string_attr(f"INTEGRATION#{integration_id}")


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _epoch_seconds_after_cleanup(slot_until_ms: int) -> int:
    return slot_until_ms // 1000 + int(SLOT_CLEANUP_DELAY.total_seconds())


def _held_until_ms(slot_item: dict[str, Any]) -> int:
    # A slot without a liveness promise (written before there was one) holds to its end.
    held = int(slot_item["slot_until_ms"]["N"])
    if "alive_until_ms" in slot_item:
        held = min(held, int(slot_item["alive_until_ms"]["N"]))
    return held


def slot_until(slot_item: dict[str, Any]) -> datetime:
    """When a job slot item stops holding its integration: at its end, or as soon as
    its worker missed the time it promised to show it is alive."""
    return datetime.fromtimestamp(_held_until_ms(slot_item) / 1000, UTC)


def _is_stale(slot_item: dict[str, Any], now: datetime) -> bool:
    alive_until = slot_item.get("alive_until_ms", {}).get("N")
    return alive_until is not None and int(alive_until) < _epoch_ms(now)


def _cancellation_reasons(error: ClientError) -> tuple[dict[str, Any], dict[str, Any]]:
    """The refusal of the slot put and of the run put, in the transaction's order."""
    reasons = error.response.get("CancellationReasons") or [{}, {}]
    return reasons[0], reasons[1]


class DynamoSyncRuns:
    def __init__(
        self,
        table: DynamoTable,
        backoff: Backoff | None = None,
        retention: timedelta = RUN_RETENTION,
    ) -> None:
        self._table = table
        self._backoff = backoff or Backoff()
        self._retention = retention

    def queue(self, run: SyncRun, slot_ttl: timedelta) -> tuple[SyncRun, bool]:
        """Record `run` as the integration's job unless one is already queued or running.

        Returns the run that holds the slot and whether it is the one just queued.
        Who holds it is read from the refused transaction itself: a re-read could find
        the slot already freed by a holder that finished in between.
        """
        for _attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self._table.client.transact_write_items(
                    TransactItems=[
                        {"Put": self._slot_put(run, slot_ttl)},
                        {
                            "Put": {
                                "TableName": self._table.name,
                                "Item": self._item(run),
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                    ]
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                slot_refusal, run_refusal = _cancellation_reasons(error)
                slot_item = slot_refusal.get("Item", {})
                holder = slot_item.get("run_id", {}).get("S")
                if slot_refusal.get("Code") == CONDITION_FAILED and holder:
                    # A redelivered job finds its own run: it carries on with it.
                    if holder == run.id or not _is_stale(slot_item, run.queued_at):
                        return self.get(run.integration_id, holder), False
                    successor = self._take_over(run, slot_item, slot_ttl)
                    if successor is not None:
                        return successor, True
                    # Another taker, or the old worker's renewal, came first: look again.
                    continue
                if run_refusal.get("Code") == CONDITION_FAILED:
                    # The slot was free, so the run itself exists already: a duplicate
                    # delivery of a job that has finished.
                    return self.get(run.integration_id, run.id), False
                # A concurrent transaction on the same items (TransactionConflict):
                # nothing was decided, so trying again is safe.
                continue
            return run, True
        raise ConcurrentUpdate("Another request is queueing a sync for this integration; retry.")

    def _take_over(
        self, run: SyncRun, stale_slot: dict[str, Any], slot_ttl: timedelta
    ) -> SyncRun | None:
        """Give the slot of a run whose worker went silent to `run`, closing the silent
        run as abandoned; None when the slot or the silent run changed meanwhile.

        Every write is conditioned on what was read (the slot's holder and promise, the
        silent run's document), so of two takers, or a taker and a worker that woke up,
        exactly one wins.
        """
        silent_id = stale_slot["run_id"]["S"]
        successor = run.model_copy(deep=True)
        closing: list[dict[str, Any]] = []
        silent_item = self._run_item(run.integration_id, silent_id)
        if silent_item is not None:
            silent = SyncRun.model_validate(json.loads(silent_item["doc"]["S"]))
            # A run that finished but never freed its slot needs no closing, only the slot.
            if not silent.is_finished:
                successor.take_over_from(silent_id)
                silent.abandon(successor.id, run.queued_at)
                closing.append(
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": self._item(silent),
                            "ConditionExpression": "#doc = :seen",
                            "ExpressionAttributeNames": {"#doc": "doc"},
                            "ExpressionAttributeValues": {":seen": silent_item["doc"]},
                        }
                    }
                )
        slot_put = self._slot_put(successor, slot_ttl)
        slot_put["ConditionExpression"] = "run_id = :silent AND alive_until_ms = :promised"
        slot_put["ExpressionAttributeValues"] = {
            ":silent": string_attr(silent_id),
            ":promised": stale_slot["alive_until_ms"],
        }
        run_put = {
            "TableName": self._table.name,
            "Item": self._item(successor),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
        writes = [{"Put": slot_put}, {"Put": run_put}, *closing]
        try:
            self._table.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return None
        return successor

    def _slot_put(self, run: SyncRun, slot_ttl: timedelta) -> dict[str, Any]:
        until_ms = _epoch_ms(run.queued_at + slot_ttl)
        return {
            "TableName": self._table.name,
            "Item": {
                PK: _partition(run.integration_id),
                SK: string_attr(SLOT),
                "run_id": string_attr(run.id),
                "slot_until_ms": number_attr(until_ms),
                # A queued run makes no promise until a worker starts on it.
                "alive_until_ms": number_attr(until_ms),
                TTL_ATTRIBUTE: number_attr(_epoch_seconds_after_cleanup(until_ms)),
                # Right after its integration in the fan-out index, so the scheduler's
                # Query sees it is busy without reading slots one by one.
                GSI1PK: string_attr(FAN_OUT_INDEX_KEY),
                GSI1SK: string_attr(
                    f"{fan_out_sort_key(run.tenant_id, run.integration_id)}#{SLOT}"
                ),
            },
            "ConditionExpression": "attribute_not_exists(PK) OR slot_until_ms < :now",
            "ExpressionAttributeValues": {":now": number_attr(_epoch_ms(run.queued_at))},
            # The refusal then names the holder, which no later read could promise.
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def slot_holder(self, integration_id: str) -> str | None:
        item = self._table.client.get_item(
            TableName=self._table.name,
            Key={PK: _partition(integration_id), SK: string_attr(SLOT)},
            ConsistentRead=True,
        ).get("Item")
        return item["run_id"]["S"] if item else None

    def busy_integrations(self, integration_ids: list[str], now: datetime) -> set[str]:
        """Which of these integrations hold an unexpired job slot (BatchGetItem, 100 a call)."""
        busy: set[str] = set()
        for start in range(0, len(integration_ids), 100):
            keys = [
                {PK: _partition(integration_id), SK: string_attr(SLOT)}
                for integration_id in integration_ids[start : start + 100]
            ]
            request: dict[str, Any] = {self._table.name: {"Keys": keys, "ConsistentRead": True}}
            for response in until_processed(
                lambda keys: self._table.client.batch_get_item(RequestItems=keys),
                request,
                "UnprocessedKeys",
                self._backoff,
            ):
                for item in response["Responses"].get(self._table.name, []):
                    if _held_until_ms(item) >= _epoch_ms(now):
                        busy.add(item[PK]["S"].removeprefix("INTEGRATION#"))
        return busy

    def extend_slot(
        self,
        integration_id: str,
        run_id: str,
        until: datetime,
        alive_until: datetime | None = None,
    ) -> bool:
        """Keep the slot for `run_id` until `until`, promising its worker shows it is
        alive again by `alive_until` (else the run may be taken over); False if another
        run holds the slot now."""
        promised = alive_until if alive_until is not None else until
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key={PK: _partition(integration_id), SK: string_attr(SLOT)},
                UpdateExpression=(
                    "SET slot_until_ms = :until, alive_until_ms = :alive, #expires = :expires"
                ),
                ConditionExpression="run_id = :run",
                ExpressionAttributeNames={"#expires": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":until": number_attr(_epoch_ms(until)),
                    ":alive": number_attr(_epoch_ms(min(promised, until))),
                    ":expires": number_attr(_epoch_seconds_after_cleanup(_epoch_ms(until))),
                    ":run": string_attr(run_id),
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def release_slot(self, integration_id: str, run_id: str) -> None:
        try:
            self._table.client.delete_item(
                TableName=self._table.name,
                Key={PK: _partition(integration_id), SK: string_attr(SLOT)},
                ConditionExpression="run_id = :run",
                ExpressionAttributeValues={":run": string_attr(run_id)},
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def _run_item(self, integration_id: str, run_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._table.client.get_item(
            TableName=self._table.name,
            Key={PK: _partition(integration_id), SK: string_attr(f"RUN#{run_id}")},
            ConsistentRead=True,
        ).get("Item")
        return item

    def get(self, integration_id: str, run_id: str) -> SyncRun:
        item = self._run_item(integration_id, run_id)
        if item is None:
            raise NotFound(f"Sync run {run_id} was not found.")
        return SyncRun.model_validate(json.loads(item["doc"]["S"]))

    def save(self, run: SyncRun) -> None:
        """Write the run; RunTakenOver if a later run took it over meanwhile, so a worker
        that went silent and woke up never overwrites the run's abandonment."""
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item=self._item(run),
                ConditionExpression="attribute_not_exists(taken_over_by)",
            )
        except ClientError as error:
            if condition_failed(error):
                raise RunTakenOver(f"Run {run.id} was taken over by a later run.") from error
            raise

    def list(
        self, integration_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SyncRun], str | None]:
        query: dict[str, Any] = {
            "TableName": self._table.name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": _partition(integration_id),
                ":prefix": string_attr("RUN#"),
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = {
                PK: _partition(integration_id),
                SK: string_attr(f"RUN#{_decode_cursor(cursor)}"),
            }
        response = self._table.client.query(**query)
        runs = [SyncRun.model_validate(json.loads(i["doc"]["S"])) for i in response["Items"]]
        last = response.get("LastEvaluatedKey")
        next_cursor = _encode_cursor(last[SK]["S"].removeprefix("RUN#")) if last else None
        return runs, next_cursor

    def _item(self, run: SyncRun) -> dict[str, Any]:
        kept_from = run.finished_at or run.queued_at
        item: dict[str, Any] = {
            PK: _partition(run.integration_id),
            SK: string_attr(f"RUN#{run.id}"),
            "status": string_attr(run.status.value),
            "doc": json_attribute(run.model_dump(mode="json")),
            TTL_ATTRIBUTE: number_attr(int((kept_from + self._retention).timestamp())),
        }
        if run.taken_over_by:
            # Outside the document too, so a save can be conditioned on its absence.
            item["taken_over_by"] = string_attr(run.taken_over_by)
        return item


def _encode_cursor(run_id: str) -> str:
    return base64.urlsafe_b64encode(run_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        run_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest("The cursor is not valid.") from error
    if not run_id.startswith("run_"):
        raise InvalidRequest("The cursor is not valid.")
    return run_id
