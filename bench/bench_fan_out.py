"""Scheduler fan-out over 10,000 ACTIVE integrations on moto: AWS calls and wall time."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime

INTEGRATIONS = 10_000


def _environment() -> None:
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )


def _drain_moto_queue(**_kwargs: object) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    sqs_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-2"].queues["bench-jobs"]._messages.clear()


def one_run() -> tuple[float, Counter[str], dict[str, int]]:
    import boto3
    from moto import mock_aws

    from chalicelib.adapters.clock import SystemClock
    from chalicelib.adapters.dynamodb import DynamoTable, create_table
    from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
    from chalicelib.adapters.job_queue import SqsJobQueue
    from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
    from chalicelib.services.fan_out import FanOut

    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        sqs = boto3.client("sqs")
        create_table(dynamodb, "bench")
        queue_url = sqs.create_queue(QueueName="bench-jobs")["QueueUrl"]
        table = DynamoTable("bench", dynamodb)
        repo = DynamoIntegrationRepo(table)
        now = datetime.now(UTC)
        items = []
        for index in range(INTEGRATIONS):
            integration = Integration(
                tenant_id=f"tenant-{index:05d}",
                app="xero",
                status=IntegrationStatus.ACTIVE,
                organisation=Organisation(id=f"org-{index}", name=f"Org {index}"),
                config={"sync": {"tax_rates": True}},
                config_version=1,
                created_at=now,
                updated_at=now,
            )
            items.append({"PutRequest": {"Item": repo._item(integration)}})
        for start in range(0, len(items), 25):
            dynamodb.batch_write_item(RequestItems={"bench": items[start : start + 25]})

        calls: Counter[str] = Counter()

        def count(event_name: str, **_kwargs: object) -> None:
            calls[event_name.split(".", 2)[-1]] += 1

        dynamodb.meta.events.register("before-call.*.*", count)
        sqs.meta.events.register("before-call.*.*", count)
        # Workers drain the real queue as it fills; moto instead recounts every queued
        # message on each send, which would make the bench measure moto, not the fan-out.
        sqs.meta.events.register("after-call.sqs.SendMessageBatch", _drain_moto_queue)
        fan_out = FanOut(
            integrations=repo,
            queue=SqsJobQueue(queue_url, client=sqs),
            clock=SystemClock(),
        )
        started = time.perf_counter()
        result = fan_out.run()
        elapsed = time.perf_counter() - started
        return elapsed, calls, dict(result.__dict__)


def main(runs: int) -> list[str]:
    _environment()
    timings: list[float] = []
    totals: list[int] = []
    last_calls: Counter[str] = Counter()
    last_result: dict[str, int] = {}
    for _ in range(runs):
        elapsed, last_calls, last_result = one_run()
        timings.append(elapsed)
        totals.append(sum(last_calls.values()))
    detail = ", ".join(f"{name} {count}" for name, count in sorted(last_calls.items()))
    return [
        f"integrations: {INTEGRATIONS}, enqueued: {last_result.get('enqueued')}",
        f"AWS calls: median {statistics.median(totals):.0f} (last run: {detail})",
        f"wall time: median {statistics.median(timings):.2f} s "
        f"(min {min(timings):.2f}, max {max(timings):.2f})",
    ]
