"""Leases in DynamoDB (moto): one holder at a time, expiry frees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.leases import DynamoLeases
from tests.support.settings import TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def test_only_one_holder_at_a_time(aws):
    leases = DynamoLeases(DynamoTable(TABLE))
    assert leases.acquire("job#1", "a", TTL, NOW)
    assert not leases.acquire("job#1", "b", TTL, NOW + timedelta(seconds=5))
    assert leases.acquire("job#2", "b", TTL, NOW), "leases are independent by name"


def test_the_holder_may_renew(aws):
    leases = DynamoLeases(DynamoTable(TABLE))
    assert leases.acquire("job#1", "a", TTL, NOW)
    assert leases.acquire("job#1", "a", TTL, NOW + timedelta(seconds=20))
    assert not leases.acquire("job#1", "b", TTL, NOW + timedelta(seconds=40))


def test_an_expired_lease_can_be_taken_over(aws):
    leases = DynamoLeases(DynamoTable(TABLE))
    assert leases.acquire("job#1", "a", TTL, NOW)
    assert leases.acquire("job#1", "b", TTL, NOW + timedelta(seconds=31))


def test_release_frees_only_our_own_lease(aws):
    leases = DynamoLeases(DynamoTable(TABLE))
    assert leases.acquire("job#1", "a", TTL, NOW)
    leases.release("job#1", "b")
    assert not leases.acquire("job#1", "b", TTL, NOW)
    leases.release("job#1", "a")
    assert leases.acquire("job#1", "b", TTL, NOW)
