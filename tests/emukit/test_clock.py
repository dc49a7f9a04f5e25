"""The emulator clock: real or frozen time, moved forward by tests, never backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from localdev.emukit import Clock

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_frozen_clock_moves_only_when_advanced():
    clock = Clock(frozen_at=START)
    assert clock.now() == START
    assert clock.advance(90) == START + timedelta(seconds=90)
    assert clock.now() == START + timedelta(seconds=90)
    assert clock.offset_seconds == 90


def test_reset_goes_back_to_the_start():
    clock = Clock(frozen_at=START)
    clock.advance(3600)
    clock.reset()
    assert clock.now() == START
    assert clock.offset_seconds == 0


def test_a_live_clock_carries_the_offset_on_top_of_real_time():
    clock = Clock()
    clock.advance(86_400)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert abs((clock.now() - tomorrow).total_seconds()) < 60


def test_time_never_goes_backwards():
    clock = Clock(frozen_at=START)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    assert clock.now() == START


def test_a_frozen_time_needs_a_timezone():
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(frozen_at=datetime(2026, 11, 25, 12, 0))  # naive: the mistake under test
