"""The toy emulator (tests/emukit/toy.py), in memory and on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.emukit import Clock, RunningServer, serve_in_thread
from tests.emukit.toy import START, Toy, create_toy


@pytest.fixture
def toy() -> Toy:
    return create_toy(Clock(frozen_at=START))


@pytest.fixture
def server(toy: Toy) -> Iterator[RunningServer]:
    with serve_in_thread(toy.app) as running:
        yield running
