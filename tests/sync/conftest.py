"""Sync tests run jobs at once: delays asked of SQS are recorded, not waited for."""

from __future__ import annotations

import pytest

from tests.fakes import DelayRecordingQueue
from tests.sync.apps import AppKit, FakeBooksKit, XeroKit


@pytest.fixture(autouse=True)
def queue_delays(emulated) -> DelayRecordingQueue:
    recording = DelayRecordingQueue(emulated.container.job_queue)
    emulated.container.__dict__["job_queue"] = recording
    return recording


@pytest.fixture(params=["xero", "fake_books"])
def app_kit(request, emulated) -> AppKit:
    """The app the test syncs with; each test taking it runs once per app."""
    if request.param == "fake_books":
        return FakeBooksKit.install(emulated)
    return XeroKit(emulated)
