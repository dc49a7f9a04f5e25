"""Sync tests run jobs at once: delays asked of SQS are recorded, not waited for."""

from __future__ import annotations

import pytest

from tests.fakes import DelayRecordingQueue


@pytest.fixture(autouse=True)
def queue_delays(emulated) -> DelayRecordingQueue:
    recording = DelayRecordingQueue(emulated.container.job_queue)
    emulated.container.__dict__["job_queue"] = recording
    return recording
