"""The toy emulator (tests/emukit/toy.py), in memory and on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.emukit import Clock, RunningServer, serve_in_thread
from tests.support.toy_emulator import START, ToyServices, create_app, toy_services


@pytest.fixture
def toy() -> ToyServices:
    return toy_services(Clock(frozen_at=START))


@pytest.fixture
def server(toy: ToyServices) -> Iterator[RunningServer]:
    with serve_in_thread(create_app(toy)) as running:
        yield running
