"""The shared call rate's rule: bursts, steady pacing, and never more than the app allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.call_budget import CallRate, seconds_to_next_day, take

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Eight calls in any rolling second, as an app that allows 8 per second per key.
EIGHT_A_SECOND = CallRate(per_second=6, burst=2)


def granted_in(rate: CallRate, span: timedelta, step: timedelta) -> list[datetime]:
    """Every call a greedy caller gets, asking at each `step` for `span`."""
    arrival, moment, granted = None, NOW, []
    while moment < NOW + span:
        answer = take(arrival, moment, 1, rate)
        if answer.granted_until is not None:
            arrival = answer.granted_until
            granted.append(moment)
        moment += step
    return granted


def test_a_quiet_budget_grants_its_burst_at_once_then_paces():
    arrival = None
    for _ in range(EIGHT_A_SECOND.burst):
        answer = take(arrival, NOW, 1, EIGHT_A_SECOND)
        assert answer.wait_seconds == 0
        arrival = answer.granted_until
    refused = take(arrival, NOW, 1, EIGHT_A_SECOND)
    assert refused.granted_until is None
    assert refused.wait_seconds == pytest.approx(1 / 6, abs=1e-5)
    assert take(arrival, NOW + timedelta(seconds=1 / 6), 1, EIGHT_A_SECOND).wait_seconds == 0


def test_no_rolling_second_ever_holds_more_than_the_app_allows():
    granted = granted_in(EIGHT_A_SECOND, timedelta(seconds=10), timedelta(milliseconds=5))
    busiest = max(
        sum(1 for other in granted if start <= other < start + timedelta(seconds=1))
        for start in granted
    )
    assert busiest <= 8
    # ...and the rate is used: about six a second over ten seconds.
    assert 60 <= len(granted) <= 62


def test_a_refused_take_takes_nothing():
    arrival = take(None, NOW, 2, EIGHT_A_SECOND).granted_until
    refused = take(arrival, NOW, 1, EIGHT_A_SECOND)
    assert refused.granted_until is None
    later = NOW + timedelta(seconds=refused.wait_seconds)
    assert take(arrival, later, 1, EIGHT_A_SECOND).granted_until is not None


def test_more_calls_than_the_burst_at_once_is_a_mistake():
    with pytest.raises(ValueError, match="between 1 and 2"):
        take(None, NOW, 3, EIGHT_A_SECOND)


def test_a_daily_cap_restarts_at_utc_midnight():
    assert seconds_to_next_day(datetime(2026, 12, 1, 23, 59, 30, tzinfo=UTC)) == 30
