"""Where the next pass over the app's changes starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.sync.positions import next_since

NEWEST = datetime(2026, 11, 25, 12, 0, 5, 250_000, tzinfo=UTC)


def test_a_settled_second_is_not_read_again():
    later = NEWEST + timedelta(seconds=60, milliseconds=500)
    assert next_since(NEWEST.isoformat(), later) == "2026-11-25T12:00:06+00:00"


def test_a_recent_second_is_read_again_so_late_writes_in_it_are_not_missed():
    soon = NEWEST + timedelta(seconds=10)
    assert next_since(NEWEST.isoformat(), soon) == NEWEST.isoformat()


def test_a_pass_that_saw_nothing_starts_the_next_a_minute_before_its_read():
    """Nothing stamped before then can still land, so the next pass asks only for what
    changed since (an empty app's pass does not read from the beginning forever)."""
    assert next_since(None, NEWEST) == "2026-11-25T11:59:05+00:00"


def test_a_quiet_pass_moves_its_start_up_to_a_minute_before_its_read():
    """A domain nobody changed for weeks keeps asking only for recent changes, which
    keeps the read small and inside change feeds that look back 30 days."""
    weeks_later = NEWEST + timedelta(days=40)
    assert next_since(NEWEST.isoformat(), weeks_later) == "2027-01-04T11:59:05+00:00"
