"""Rolling rate-limit windows on the emulator clock."""

from __future__ import annotations

import pytest

from localdev.emukit import MINUTE, RollingWindow


def test_counts_what_it_accepted_within_its_length():
    window = RollingWindow(MINUTE)
    window.record(100.0)
    window.record(130.0)
    assert window.count(130.0) == 2
    assert window.count(159.9) == 2
    # A request leaves exactly `length` seconds after it was accepted.
    assert window.count(160.0) == 1
    assert window.count(190.0) == 0


def test_retry_after_is_the_whole_seconds_until_the_oldest_leaves():
    window = RollingWindow(MINUTE)
    window.record(100.0)
    window.record(110.0)
    assert window.seconds_until_free(100.0) == 60
    assert window.seconds_until_free(145.5) == 15  # 14.5 rounded up: never too early
    assert window.seconds_until_free(160.0) == 10  # the oldest has left; the next one counts


def test_retry_after_is_at_least_one_second():
    window = RollingWindow(MINUTE)
    assert window.seconds_until_free(0.0) == 1
    window.record(0.0)
    assert window.seconds_until_free(59.99) == 1


def test_a_window_has_a_length():
    with pytest.raises(ValueError, match="longer than zero"):
        RollingWindow(0)
