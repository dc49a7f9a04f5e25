"""Batch calls that DynamoDB keeps leaving unprocessed back off, then give up typed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.adapters.batch_retry import Backoff, StoreThrottled
from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.links_repo import DynamoLinks
from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
from chalicelib.domain.links import Link, LinkScope

TABLE = "throttled"
SPIN_LIMIT = 50


class ThrottlingClient:
    """Answers every batch call by handing the whole request back unprocessed."""

    def __init__(self) -> None:
        self.calls = 0

    def _throttle(self, request: dict[str, Any], leftover_key: str) -> dict[str, Any]:
        self.calls += 1
        if self.calls > SPIN_LIMIT:
            raise AssertionError("resent at once, again and again: spinning")
        return {"Responses": {}, leftover_key: request}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._throttle(RequestItems, "UnprocessedItems")

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._throttle(RequestItems, "UnprocessedKeys")


@pytest.fixture
def client() -> ThrottlingClient:
    return ThrottlingClient()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def backoff(waits: list[float]) -> Backoff:
    # The largest share of each window, so the waits show the growth and the cap.
    return Backoff(
        attempts=6, base_seconds=0.5, cap_seconds=2.0, sleep=waits.append, random=lambda: 1.0
    )


SCOPE = LinkScope(tenant_id="tenant-a", app="some-app", organisation_id="org-1")


def link() -> Link:
    return Link(
        domain="customers",
        loc8_id="c1",
        app_id="app-c1",
        synced_at=datetime(2026, 11, 25, tzinfo=UTC),
    )


def test_saving_links_backs_off_then_raises_store_throttled(client, backoff, waits):
    links = DynamoLinks(DynamoTable(TABLE, client), backoff=backoff)
    with pytest.raises(StoreThrottled) as throttled:
        links.save(SCOPE, [link()])
    assert client.calls == 6
    assert waits == [0.5, 1.0, 2.0, 2.0, 2.0]
    assert throttled.value.retry_after_seconds > 0


def test_reading_links_backs_off_then_raises_store_throttled(client, backoff, waits):
    links = DynamoLinks(DynamoTable(TABLE, client), backoff=backoff)
    with pytest.raises(StoreThrottled):
        links.by_loc8(SCOPE, "customers", ["c1"])
    assert (client.calls, len(waits)) == (6, 5)


def test_reading_job_slots_backs_off_then_raises_store_throttled(client, backoff, waits):
    runs = DynamoSyncRuns(DynamoTable(TABLE, client), backoff=backoff)
    with pytest.raises(StoreThrottled):
        runs.busy_integrations(["int-1"], datetime(2026, 11, 25, tzinfo=UTC))
    assert (client.calls, len(waits)) == (6, 5)


def test_waits_are_jittered_below_the_capped_window():
    shares = iter([0.25, 0.0, 0.75])
    backoff = Backoff(attempts=4, base_seconds=1.0, cap_seconds=3.0, random=lambda: next(shares))
    assert list(backoff.waits()) == [0.25, 0.0, 2.25]
