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
from chalicelib.domain.sync_run import RunStatus, RunTakenOver, RunTrigger, SyncRun
from tests.support.settings import TABLE

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


STALE_AFTER = timedelta(minutes=3)


def start_working(runs: DynamoSyncRuns, run: SyncRun, at: datetime = NOW) -> None:
    """A worker starts on the run: RUNNING, promising to show life within STALE_AFTER."""
    assert runs.extend_slot(run.integration_id, run.id, at + SLOT_TTL, alive_until=at + STALE_AFTER)
    run.status = RunStatus.RUNNING
    run.started_at = at
    runs.save(run)


def abandonments(run: SyncRun) -> int:
    return sum(error.message.startswith("The worker stopped") for error in run.errors)


def test_a_silent_run_is_taken_over_once_its_promise_passes_and_closed_as_abandoned(runs):
    silent = manual_run()
    runs.queue(silent, SLOT_TTL)
    start_working(runs, silent)

    early, created = runs.queue(manual_run(NOW + STALE_AFTER), SLOT_TTL)
    assert (early.id, created) == (silent.id, False)

    taker, created = runs.queue(manual_run(NOW + STALE_AFTER + timedelta(seconds=1)), SLOT_TTL)
    assert created
    assert taker.took_over_from == silent.id
    assert runs.slot_holder("int-1") == taker.id
    closed = runs.get("int-1", silent.id)
    assert (closed.status, closed.taken_over_by, abandonments(closed)) == (
        RunStatus.FAILED,
        taker.id,
        1,
    )
    # The new run is queued, not working yet: it is not itself taken over.
    later, created = runs.queue(manual_run(NOW + timedelta(minutes=30)), SLOT_TTL)
    assert (later.id, created) == (taker.id, False)


class AnotherTakerFirst:
    """A DynamoDB client on which another request takes the silent run over just
    before our takeover transaction is sent."""

    def __init__(self, client: Any, rival: SyncRun) -> None:
        self._client = client
        self._rival = rival
        self.rival_won: tuple[SyncRun, bool] | None = None

    def transact_write_items(self, **request: Any) -> Any:
        taking_over = len(request["TransactItems"]) > 2
        if taking_over and self.rival_won is None:
            self.rival_won = DynamoSyncRuns(DynamoTable(TABLE, self._client)).queue(
                self._rival, SLOT_TTL
            )
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_of_two_takers_only_one_wins_and_the_other_gets_its_run(runs):
    silent = manual_run()
    runs.queue(silent, SLOT_TTL)
    start_working(runs, silent)
    later = NOW + STALE_AFTER + timedelta(minutes=1)
    client = AnotherTakerFirst(boto3.client("dynamodb"), manual_run(later))
    racing = DynamoSyncRuns(DynamoTable(TABLE, client))

    run, created = racing.queue(manual_run(later + timedelta(milliseconds=5)), SLOT_TTL)

    assert client.rival_won is not None
    rival, rival_created = client.rival_won
    assert rival_created
    assert (run.id, created) == (rival.id, False)
    assert runs.slot_holder("int-1") == rival.id
    closed = runs.get("int-1", silent.id)
    assert (closed.taken_over_by, abandonments(closed)) == (rival.id, 1)
    listed, _ = runs.list("int-1", 10, None)
    assert sorted(r.id for r in listed) == sorted([silent.id, rival.id])


def test_a_worker_that_renewed_its_promise_in_time_keeps_its_run(aws):
    runs = DynamoSyncRuns(DynamoTable(TABLE))
    working = manual_run()
    runs.queue(working, SLOT_TTL)
    start_working(runs, working)
    renewed_at = NOW + timedelta(minutes=2)
    assert runs.extend_slot("int-1", working.id, renewed_at + SLOT_TTL, renewed_at + STALE_AFTER)

    run, created = runs.queue(manual_run(NOW + timedelta(minutes=4)), SLOT_TTL)

    assert (run.id, created) == (working.id, False)
    assert runs.get("int-1", working.id).status is RunStatus.RUNNING


def test_a_taken_over_run_cannot_be_saved_again_by_its_old_worker(runs):
    silent = manual_run()
    runs.queue(silent, SLOT_TTL)
    start_working(runs, silent)
    runs.queue(manual_run(NOW + timedelta(minutes=5)), SLOT_TTL)

    silent.status = RunStatus.SUCCEEDED
    with pytest.raises(RunTakenOver):
        runs.save(silent)
    assert runs.get("int-1", silent.id).status is RunStatus.FAILED
    assert not runs.extend_slot("int-1", silent.id, NOW + SLOT_TTL, NOW + STALE_AFTER)


def test_a_slot_whose_worker_went_silent_no_longer_holds_off_the_schedule(runs):
    silent = manual_run()
    runs.queue(silent, SLOT_TTL)
    start_working(runs, silent)

    assert runs.busy_integrations(["int-1"], NOW + STALE_AFTER) == {"int-1"}
    assert runs.busy_integrations(["int-1"], NOW + STALE_AFTER + timedelta(seconds=1)) == set()


def test_a_run_that_finished_but_kept_its_slot_is_not_closed_again(runs):
    finished = manual_run()
    runs.queue(finished, SLOT_TTL)
    start_working(runs, finished)
    finished.status = RunStatus.SUCCEEDED
    finished.finished_at = NOW + timedelta(minutes=1)
    runs.save(finished)  # and the worker died before it freed the slot

    taker, created = runs.queue(manual_run(NOW + timedelta(minutes=5)), SLOT_TTL)

    assert created
    assert taker.took_over_from is None
    assert taker.errors == []
    assert runs.get("int-1", finished.id).status is RunStatus.SUCCEEDED
