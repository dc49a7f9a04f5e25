"""One local stack (child processes on free ports) shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.stack import LocalStack, Ports


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(
        Ports.free(), log_dir=tmp_path_factory.mktemp("logs"), schedule_seconds=3600
    )
    with running:
        yield running
