"""An ACTIVE integration with fake Xero settings and a fake Loc8 core, ready to sync."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.api.test_configuration import valid_config
from tests.api.test_connect_flow import connect
from tests.conftest import SYNC_QUEUE_URL, bearer
from tests.fakes import DelayRecordingQueue, FakeLoc8, loc8_line_item


@pytest.fixture(autouse=True)
def queue_delays(container) -> DelayRecordingQueue:
    recording = DelayRecordingQueue(container.job_queue)
    container.__dict__["job_queue"] = recording
    return recording


@pytest.fixture
def loc8(container) -> FakeLoc8:
    fake = FakeLoc8(line_items={"tenant-a": [loc8_line_item("li_labour", "LAB", "Labour")]})
    container.__dict__["loc8_api"] = fake
    return fake


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


@pytest.fixture
def active(api, fake_app, loc8) -> str:
    return activate(api, fake_app)


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
