"""Sync jobs delivered the way SQS and Lambda would: the queue drained, the worker invoked."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.bootstrap import Container
from tests.support.auth import bearer
from tests.support.config import valid_config
from tests.support.consent import connect
from tests.support.fakes import DelayRecordingQueue
from tests.support.settings import SYNC_QUEUE_URL


@pytest.fixture
def queue_delays(job_container: Container) -> DelayRecordingQueue:
    """Delays asked of SQS are recorded, not waited for, so a test runs jobs at once.
    `job_container` is the test's own container, or the emulators' in tests/sync."""
    recording = DelayRecordingQueue(job_container.job_queue)
    job_container.__dict__["job_queue"] = recording
    return recording


def activate(api, fake_app, tenant: str = "tenant-a", organisation_id: str = "org-1") -> str:
    from chalicelib.domain.integration import Organisation

    fake_app.organisations = [Organisation(id=organisation_id, name=f"Org of {tenant}")]
    integration_id = connect(api, fake_app, tenant=tenant)["added"]["id"]
    response = api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps(valid_config(line_item_accounts={})),
    )
    assert response.status_code == 200, response.body
    return integration_id


def drain_queue() -> list[dict]:
    """Every message now visible on the sync queue, removed from it."""
    sqs = boto3.client("sqs")
    bodies: list[dict] = []
    while True:
        received = sqs.receive_message(QueueUrl=SYNC_QUEUE_URL, MaxNumberOfMessages=10)
        messages = received.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append({**json.loads(message["Body"]), "_attributes": message.get("Attributes")})
            sqs.delete_message(QueueUrl=SYNC_QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])


def sqs_event(api, bodies: list[dict], receive_count: int = 1) -> dict:
    clean = [
        json.dumps({k: v for k, v in body.items() if not k.startswith("_")}) for body in bodies
    ]
    event = api.events.generate_sqs_event(
        message_bodies=clean, queue_name="loc8-integrations-sync-jobs"
    )
    for index, record in enumerate(event["Records"]):
        record["messageId"] = f"message-{index}"
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return event


def run_worker(api, bodies: list[dict], receive_count: int = 1) -> dict:
    """Invoke the worker as Lambda would, with a 5-minute context (Chalice's test
    context allows 3 s, which would make every longer job defer itself)."""
    from app import app
    from localdev.pump import LocalLambdaContext

    event = sqs_event(api, bodies, receive_count)
    return app.handler_map["sync_worker"](event, LocalLambdaContext("sync_worker"))
