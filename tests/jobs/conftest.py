"""An ACTIVE integration with fake Xero settings and a fake Loc8 core, ready to sync."""

from __future__ import annotations

import pytest

from tests.support.fakes import DelayRecordingQueue, FakeLoc8, loc8_line_item
from tests.support.jobs import activate


@pytest.fixture(autouse=True)
def _jobs_run_at_once(queue_delays: DelayRecordingQueue) -> None:
    """Every job test records the delays asked of SQS instead of waiting for them."""


@pytest.fixture
def loc8(container) -> FakeLoc8:
    fake = FakeLoc8(line_items={"tenant-a": [loc8_line_item("li_labour", "LAB", "Labour")]})
    container.__dict__["loc8_api"] = fake
    return fake


@pytest.fixture
def active(api, fake_app, loc8) -> str:
    return activate(api, fake_app)
