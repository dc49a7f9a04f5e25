"""Sync runs and the job slot against moto: who holds the slot, and run retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import PK, SK, TTL_ATTRIBUTE, DynamoTable
from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.sync_run import RunTrigger, SyncRun
from tests.conftest import TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SLOT_TTL = timedelta(hours=2)


class SlotFreedAfterTransaction:
    """A DynamoDB client on which the slot's holder finishes right after our
    transaction is refused: the release lands between the write and any re-read."""

    def __init__(self, client: Any, integration_id: str) -> None:
        self._client = client
        self._slot_key = {PK: {"S": f"INTEGRATION#{integration_id}"}, SK: {"S": "JOBSLOT"}}

    def transact_write_items(self, **request: Any) -> Any:
        try:
            return self._client.transact_write_items(**request)
        finally:
            self._client.delete_item(TableName=TABLE, Key=self._slot_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def manual_run(at: datetime = NOW, integration_id: str = "int-1") -> SyncRun:
    return SyncRun.queue(integration_id, "tenant-a", RunTrigger.MANUAL, at)


@pytest.fixture
def runs(aws) -> DynamoSyncRuns:
    return DynamoSyncRuns(DynamoTable(TABLE))


def test_a_second_request_gets_the_run_holding_the_slot(runs):
    holder = manual_run()
    assert runs.queue(holder, SLOT_TTL) == (holder, True)
    run, created = runs.queue(manual_run(NOW + timedelta(seconds=1)), SLOT_TTL)
    assert (run.id, created) == (holder.id, False)


def test_the_holder_is_answered_even_when_its_slot_frees_before_a_reread(aws):
    holder = manual_run()
    DynamoSyncRuns(DynamoTable(TABLE)).queue(holder, SLOT_TTL)
    racing = DynamoSyncRuns(
        DynamoTable(TABLE, SlotFreedAfterTransaction(boto3.client("dynamodb"), "int-1"))
    )

    run, created = racing.queue(manual_run(NOW + timedelta(seconds=1)), SLOT_TTL)

    assert (run.id, created) == (holder.id, False)


def test_a_duplicate_delivery_of_a_finished_run_gets_that_run(runs):
    run = manual_run()
    runs.queue(run, SLOT_TTL)
    runs.release_slot(run.integration_id, run.id)
    again, created = runs.queue(run, SLOT_TTL)
    assert (again.id, created) == (run.id, False)


class ConflictingFirst:
    """A DynamoDB client whose first `count` transactions meet a concurrent one."""

    def __init__(self, client: Any, count: int) -> None:
        self._client = client
        self.conflicts_left = count

    def transact_write_items(self, **request: Any) -> Any:
        if self.conflicts_left:
            self.conflicts_left -= 1
            reasons = [{"Code": "TransactionConflict"}, {"Code": "None"}]
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": reasons,
                },
                "TransactWriteItems",
            )
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_transaction_conflict_is_retried_then_reported_as_a_concurrent_update(aws):
    once = DynamoSyncRuns(DynamoTable(TABLE, ConflictingFirst(boto3.client("dynamodb"), 1)))
    run = manual_run()
    assert once.queue(run, SLOT_TTL) == (run, True)

    always = DynamoSyncRuns(DynamoTable(TABLE, ConflictingFirst(boto3.client("dynamodb"), 99)))
    with pytest.raises(ConcurrentUpdate):
        always.queue(manual_run(integration_id="int-2"), SLOT_TTL)


def stored_expiry(run: SyncRun) -> int:
    item = boto3.client("dynamodb").get_item(
        TableName=TABLE,
        Key={PK: {"S": f"INTEGRATION#{run.integration_id}"}, SK: {"S": f"RUN#{run.id}"}},
    )["Item"]
    return int(item[TTL_ATTRIBUTE]["N"])


def test_a_run_expires_its_retention_after_it_was_queued_then_after_it_finished(aws):
    runs = DynamoSyncRuns(DynamoTable(TABLE), retention=timedelta(days=90))
    run = manual_run()
    runs.queue(run, SLOT_TTL)
    assert stored_expiry(run) == int((NOW + timedelta(days=90)).timestamp())

    run.finished_at = NOW + timedelta(hours=5)
    runs.save(run)
    assert stored_expiry(run) == int((NOW + timedelta(days=90, hours=5)).timestamp())


def test_history_pages_on_past_a_run_that_expired_under_the_cursor(runs):
    queued = [manual_run(NOW + timedelta(minutes=minute)) for minute in range(5)]
    for run in queued:
        runs.queue(run, SLOT_TTL)
        runs.release_slot(run.integration_id, run.id)
    newest_first = [run.id for run in reversed(queued)]

    first, cursor = runs.list("int-1", 2, None)
    assert [run.id for run in first] == newest_first[:2]
    # TTL removes the run the cursor names before the client asks for the next page.
    boto3.client("dynamodb").delete_item(
        TableName=TABLE, Key={PK: {"S": "INTEGRATION#int-1"}, SK: {"S": f"RUN#{first[-1].id}"}}
    )
    rest, cursor = runs.list("int-1", 10, cursor)
    assert [run.id for run in rest] == newest_first[2:]
    assert cursor is None
