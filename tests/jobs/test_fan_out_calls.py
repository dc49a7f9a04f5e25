"""What one scheduled fan-out costs in AWS calls, counted on moto per index page."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
from chalicelib.adapters.job_queue import SqsJobQueue
from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.sync_run import RunTrigger, SyncRun
from chalicelib.services.fan_out import FanOut
from tests.support.fakes import FakeClock
from tests.support.settings import SYNC_QUEUE_URL, TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACTIVE = 250
BUSY = 5  # the first tenants in index order, each with a held job slot


def active_integration(index: int) -> Integration:
    return Integration(
        tenant_id=f"tenant-{index:03d}",
        app="some-app",
        status=IntegrationStatus.ACTIVE,
        organisation=Organisation(id=f"org-{index}", name=f"Org {index}"),
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def calls(aws) -> Counter[str]:
    table = DynamoTable(TABLE)
    repo = DynamoIntegrationRepo(table)
    runs = DynamoSyncRuns(table)
    for index in range(ACTIVE):
        integration = active_integration(index)
        table.client.put_item(TableName=TABLE, Item=repo._item(integration))
        if index < BUSY:
            runs.queue(
                SyncRun.queue(integration.id, integration.tenant_id, RunTrigger.MANUAL, NOW),
                timedelta(hours=2),
            )
    return Counter()


def test_one_query_per_index_page_and_no_slot_reads(calls):
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    for client in (dynamodb, sqs):
        client.meta.events.register(
            "before-call.*.*", lambda event_name, **_: calls.update([event_name.split(".")[-1]])
        )
    fan_out = FanOut(
        integrations=DynamoIntegrationRepo(DynamoTable(TABLE, dynamodb)),
        queue=SqsJobQueue(SYNC_QUEUE_URL, client=sqs),
        clock=FakeClock(NOW + timedelta(minutes=15)),
    )

    result = fan_out.run()

    assert result.__dict__ == {"active": 250, "skipped_busy": 5, "enqueued": 245, "failed": 0}
    # 255 index items (250 integrations, 5 slots) in pages of 100, and the 245 idle
    # integrations' jobs ten to a SendMessageBatch: no call reads job slots.
    assert calls == {"Query": 3, "SendMessageBatch": 25}


def test_a_slot_past_its_expiry_no_longer_holds_its_integration_back(calls):
    fan_out = FanOut(
        integrations=DynamoIntegrationRepo(DynamoTable(TABLE)),
        queue=SqsJobQueue(SYNC_QUEUE_URL),
        clock=FakeClock(NOW + timedelta(hours=3)),
    )
    result = fan_out.run()
    assert (result.skipped_busy, result.enqueued) == (0, ACTIVE)
