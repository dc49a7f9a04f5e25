"""Where the next pass over the app's changes starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.sync.positions import next_since

NEWEST = datetime(2026, 11, 25, 12, 0, 5, 250_000, tzinfo=UTC)


def test_a_settled_second_is_not_read_again():
    later = NEWEST + timedelta(minutes=5)
    assert next_since(NEWEST.isoformat(), later) == "2026-11-25T12:00:06+00:00"


def test_a_recent_second_is_read_again_so_late_writes_in_it_are_not_missed():
    soon = NEWEST + timedelta(seconds=10)
    assert next_since(NEWEST.isoformat(), soon) == NEWEST.isoformat()


def test_nothing_seen_means_start_from_the_beginning():
    assert next_since(None, NEWEST) is None
