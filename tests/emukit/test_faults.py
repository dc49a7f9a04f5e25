"""The fault registry: matching, counting down, and holding requests until released."""

from __future__ import annotations

import threading

import pytest

from localdev.emukit import Fault, FaultRegistry

HOUR_MS = 3_600_000  # a latency no test could sit out: only a release ends the wait


def test_a_fault_matches_its_method_and_path_whatever_the_placeholder_names():
    faults = FaultRegistry()
    faults.add("get", "/tenants/<tenant_id>/customers")
    assert faults.take("POST", "/tenants/a/customers", "/tenants/{id}/customers") is None
    held = faults.take("GET", "/tenants/a/customers", "/tenants/{id}/customers")
    assert held is not None
    assert held.fault.path == "/tenants/{tenant_id}/customers"


def test_times_counts_down_and_none_keeps_the_fault_until_cleared():
    faults = FaultRegistry()
    faults.add("GET", "/a", times=2)
    faults.add("GET", "/b", times=None)
    assert [faults.take("GET", "/a", "/a") is not None for _ in range(3)] == [True, True, False]
    assert all(faults.take("GET", "/b", "/b") is not None for _ in range(5))
    assert [fault.path for fault in faults.list()] == ["/b"]
    faults.clear()
    assert faults.list() == []


def test_clearing_releases_every_held_request():
    faults = FaultRegistry()
    faults.add("GET", "/slow", mode="delay", latency_ms=HOUR_MS, times=2)
    holds = [faults.take("GET", "/slow", "/slow") for _ in range(2)]
    waiters = [threading.Thread(target=faults.sit_out, args=(held,)) for held in holds]
    for waiter in waiters:
        waiter.start()
    assert faults.wait_until_held(2)
    assert faults.held == 2

    faults.clear()

    for waiter in waiters:
        waiter.join(timeout=10)
    assert not any(waiter.is_alive() for waiter in waiters)
    assert faults.held == 0


def test_a_clear_between_taking_and_waiting_still_releases():
    faults = FaultRegistry()
    faults.add("GET", "/slow", mode="delay", latency_ms=HOUR_MS)
    held = faults.take("GET", "/slow", "/slow")
    assert held is not None
    faults.clear()
    waiter = threading.Thread(target=faults.sit_out, args=(held,))
    waiter.start()
    waiter.join(timeout=10)
    assert not waiter.is_alive()


def test_a_fault_taken_after_a_clear_waits_again():
    faults = FaultRegistry()
    faults.clear()
    faults.add("GET", "/slow", mode="delay", latency_ms=HOUR_MS)
    held = faults.take("GET", "/slow", "/slow")
    assert held is not None
    assert not held.released.is_set()


def test_from_json_reads_a_control_request_and_defaults_the_status():
    fault = Fault.from_json({"method": "post", "path": "/x", "mode": "commit_then_drop"})
    assert (fault.method, fault.status, fault.times) == ("POST", 504, 1)
    assert Fault.from_json({"method": "GET", "path": "/x", "times": None}).times is None
    assert fault.to_json()["id"] == fault.id


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"path": "/x"}, "method is required"),
        ({"method": "GET", "path": "/x", "mode": "explode"}, "mode must be one of"),
        ({"method": "GET", "path": "/x", "status": 200}, "HTTP error status"),
        ({"method": "GET", "path": "/x", "status": True}, "status must be of type int"),
        ({"method": "GET", "path": "/x", "times": 0}, "times must be at least 1"),
        ({"method": "GET", "path": "x"}, "must start with '/'"),
        ({"method": "GET", "path": "/x", "colour": "red"}, "unknown fields: colour"),
    ],
)
def test_from_json_refuses_what_it_cannot_apply(payload, message):
    with pytest.raises(ValueError, match=message):
        Fault.from_json(payload)
