"""Deliver sync jobs the way SQS and Lambda would, with time passing for delays."""

from __future__ import annotations

from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.fakes import DelayRecordingQueue
from tests.support.jobs import drain_queue, run_worker


def run_to_completion(emulated: Emulated, jobs: list[dict]) -> None:
    """Run jobs and every continuation they queue; a continuation's delay passes on the
    emulators' clocks first, as it would while SQS holds the message."""
    recording: DelayRecordingQueue = emulated.container.job_queue  # type: ignore[assignment]
    for _ in range(30):
        if not jobs:
            return
        already = len(recording.delays)
        assert run_worker(emulated.client, jobs) == {"batchItemFailures": []}
        waited = max((delay for _run, delay in recording.delays[already:]), default=0)
        emulated.xero.clock.advance(waited)
        emulated.loc8.clock.advance(waited)
        jobs = drain_queue()
    raise AssertionError("the run never finished")


def sync(emulated: Emulated, integration_id: str) -> dict:
    """ "Sync now" run to the end; returns the run as the API shows it."""
    queued = emulated.client.http.post(
        f"/v1/integrations/{integration_id}/sync", headers=bearer(TENANT)
    ).json_body
    run_to_completion(emulated, drain_queue())
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{queued['run_id']}", headers=bearer(TENANT)
    ).json_body
