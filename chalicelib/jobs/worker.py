"""SQS → run each sync job, reporting failures per message (partial batch response)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib.bootstrap import container

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

worker = Blueprint(__name__)

# The name Chalice needs at import; deployed stages point the event source at their own
# queue (loc8-integrations-<stage>-sync-jobs) in infra/<stage>.json.
SYNC_QUEUE_NAME = "loc8-integrations-sync-jobs"
# Matches the queue's maxReceiveCount: the last delivery before the DLQ.
MAX_RECEIVES = 5


def run_record(record: SQSRecord, remaining_ms: Any) -> None:
    from chalicelib.domain.sync_run import SyncJob

    job = SyncJob.model_validate(json.loads(record.body))
    receives = int(record.attributes.approximate_receive_count or 1)
    container().sync_worker.run(
        job,
        remaining_time=lambda: timedelta(milliseconds=remaining_ms()),
        final_attempt=receives >= MAX_RECEIVES,
    )


@worker.on_sqs_message(queue=SYNC_QUEUE_NAME, batch_size=5, name="sync_worker")
def run_sync_jobs(event: SQSEvent) -> dict[str, Any]:
    # Loaded by the worker function alone; the API and the schedule never need it.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    context = event.context
    remaining_ms = getattr(context, "get_remaining_time_in_millis", lambda: 300_000)
    # A batch where every job failed is reported like any other, per message, so a
    # lone failing job is retried alone and never counted as a crashed invocation.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event.to_dict(),
        record_handler=lambda record: run_record(record, remaining_ms),
        processor=processor,
        context=context,
    )
