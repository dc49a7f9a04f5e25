"""The sync-jobs SQS queue: one message per job, sent alone or in batches of ten."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import boto3

from chalicelib.domain.sync_run import SyncJob

SQS_BATCH_LIMIT = 10
MAX_DELAY_SECONDS = 900


class SqsJobQueue:
    def __init__(self, queue_url: str | None, client: Any = None) -> None:
        self._queue_url = queue_url
        self._injected_client = client

    @cached_property
    def _client(self) -> Any:
        return self._injected_client or boto3.client("sqs")

    @property
    def queue_url(self) -> str:
        if not self._queue_url:
            raise RuntimeError("SYNC_QUEUE_URL is not configured.")
        return self._queue_url

    def send(self, job: SyncJob, delay_seconds: int = 0) -> None:
        self._client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=job.model_dump_json(),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay_seconds)),
        )

    def send_batch(self, jobs: Sequence[SyncJob]) -> list[SyncJob]:
        """Send up to ten jobs in one call; returns the jobs SQS did not accept."""
        if len(jobs) > SQS_BATCH_LIMIT:
            raise ValueError(f"SQS takes at most {SQS_BATCH_LIMIT} messages per batch.")
        if not jobs:
            return []
        response = self._client.send_message_batch(
            QueueUrl=self.queue_url,
            Entries=[
                {"Id": str(index), "MessageBody": job.model_dump_json()}
                for index, job in enumerate(jobs)
            ],
        )
        return [jobs[int(failed["Id"])] for failed in response.get("Failed", [])]
