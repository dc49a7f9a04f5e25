"""Shared call budgets in DynamoDB (moto): every worker draws from one budget per name."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from chalicelib.adapters.call_budget_store import DynamoCallBudget
from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.domain.call_budget import CallRate
from tests.support.fakes import FakeClock
from tests.support.settings import TABLE

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RATE = CallRate(per_second=6, burst=2, per_day=20)


def test_two_workers_share_one_budget_and_other_names_are_apart(aws):
    clock = FakeClock(NOW)
    first, second = (
        DynamoCallBudget(DynamoTable(TABLE), clock),
        DynamoCallBudget(DynamoTable(TABLE), clock),
    )
    assert first.take("app:key-1", 1, RATE) == 0
    assert second.take("app:key-1", 1, RATE) == 0
    assert second.take("app:key-1", 1, RATE) > 0
    assert first.take("app:key-2", 2, RATE) == 0, "another key has its own budget"
    clock.advance(seconds=1 / 6)
    assert first.take("app:key-1", 1, RATE) == 0


def test_concurrent_workers_never_get_more_than_the_rate_allows(aws):
    clock = FakeClock(NOW)
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        budget = DynamoCallBudget(DynamoTable(TABLE), clock)
        for _ in range(5):
            if budget.take("app:busy", 1, CallRate(per_second=6, burst=2)) == 0:
                with lock:
                    granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The clock stands still: only the burst can be granted, however many race for it.
    assert len(granted) == 2


def test_the_daily_cap_refuses_until_midnight(aws):
    clock = FakeClock(NOW)
    budget = DynamoCallBudget(DynamoTable(TABLE), clock)
    for _ in range(10):
        assert budget.take("app:daily", 2, RATE) == 0
        clock.advance(seconds=1)
    wait = budget.take("app:daily", 1, RATE)
    assert wait == (datetime(2026, 12, 2, tzinfo=UTC) - clock.now()).total_seconds()
    clock.advance(seconds=wait)
    assert budget.take("app:daily", 1, RATE) == 0
