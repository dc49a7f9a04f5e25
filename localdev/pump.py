"""Plays EventBridge and the SQS event source for the local stack.

It invokes the app's scheduled handler on a (shortened) rate and long-polls the sync
queue on moto server, handing the worker real SQS-shaped events, deleting what it
processed and making failed messages visible again soon, as Lambda's event source
does with a partial batch response. `python -m localdev.pump` runs it; the local
stack starts it with the same environment as the API.
"""

from __future__ import annotations

import argparse
import signal
import time
import uuid
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import boto3
from botocore.exceptions import EndpointConnectionError

WORKER = "sync_worker"
SCHEDULER = "sync_scheduler"
# The deployed worker's timeout (.chalice/config.json), which the queue's visibility follows.
LAMBDA_TIMEOUT_MS = 300_000
# Locally a failed job comes back after a few seconds, not the deployed queue's
# visibility timeout, so a developer sees retries happen.
LOCAL_RETRY_VISIBILITY_SECONDS = 5


@dataclass
class LocalLambdaContext:
    """The parts of Lambda's context object that the app and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    started: float = field(default_factory=time.monotonic)
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:ap-southeast-2:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        return max(0, LAMBDA_TIMEOUT_MS - elapsed_ms)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "ap-southeast-2",
            }
            for message in messages
        ]
    }


class Pump:
    def __init__(self, app: Any, queue_url: str, schedule_seconds: float) -> None:
        self._app = app
        self._queue_url = queue_url
        self._schedule_seconds = schedule_seconds
        self._sqs = boto3.client("sqs")
        self._queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self._next_schedule = 0.0
        self.stopping = False

    def run_forever(self, wait_seconds: int = 2) -> None:
        """Cycle until asked to stop; end on one line, not a traceback, if moto goes away."""
        while not self.stopping:
            try:
                self.cycle(wait_seconds)
            except EndpointConnectionError as error:
                if self.stopping:
                    return  # moto stopped with the rest of the stack: nothing is wrong
                raise SystemExit(
                    f"Pump stopped: the AWS endpoint (moto server) went away ({error})."
                ) from None

    def cycle(self, wait_seconds: int = 0) -> int:
        """One turn: the schedule if it is due, then one batch from the queue."""
        if time.monotonic() >= self._next_schedule:
            self.invoke_schedule()
            self._next_schedule = time.monotonic() + self._schedule_seconds
        return self.deliver_batch(wait_seconds)

    def invoke_schedule(self) -> Any:
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": "ap-southeast-2",
            "resources": [],
            "detail": {},
        }
        return self._app.handler_map[SCHEDULER](event, LocalLambdaContext(SCHEDULER))

    def deliver_batch(self, wait_seconds: int = 0) -> int:
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=5,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return 0
        response = self._app.handler_map[WORKER](
            sqs_event(messages, self._queue_arn), LocalLambdaContext(WORKER)
        )
        failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=LOCAL_RETRY_VISIBILITY_SECONDS,
                )
            else:
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description="Local EventBridge schedule and SQS poller.")
    parser.add_argument("--schedule-seconds", type=float, default=60.0)
    args = parser.parse_args()

    from app import app  # the environment must be set before the app is imported
    from chalicelib.settings import get_settings

    queue_url = get_settings().sync_queue_url
    if not queue_url:
        raise SystemExit("SYNC_QUEUE_URL is not set; the pump has no queue to read.")
    pump = Pump(app, queue_url, args.schedule_seconds)

    def stop(_signal: int, _frame: FrameType | None) -> None:
        pump.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"Pump running: schedule every {args.schedule_seconds:.0f} s, polling {queue_url}",
        flush=True,
    )
    pump.run_forever()
    print("Pump stopped.", flush=True)


if __name__ == "__main__":
    main()
