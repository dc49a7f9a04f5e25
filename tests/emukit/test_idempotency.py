"""The idempotency store: replay a repeated request, refuse a reused key, forget in time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask import Response

from localdev.emukit import (
    Clock,
    IdempotencyStore,
    KeyReused,
    canonical_json,
    fingerprint,
    successes_only,
)

LIFETIME = timedelta(minutes=6)
SCOPE = ("tenant", "app")


class Handler:
    """A write: counts how often it really runs and answers the next status in turn."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses) or [201]
        self.runs = 0

    def __call__(self) -> Response:
        self.runs += 1
        status = self.statuses[min(self.runs, len(self.statuses)) - 1]
        return Response(f'{{"run": {self.runs}}}', status=status, mimetype="application/json")


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


def test_a_repeat_replays_the_first_answer_without_redoing_the_work(clock):
    store = IdempotencyStore(clock, LIFETIME, replay_headers={"Idempotent-Replayed": "true"})
    write = Handler()
    first = store.run(SCOPE, "k1", "print", write)
    again = store.run(SCOPE, "k1", "print", write)
    assert write.runs == 1
    assert (again.status_code, again.get_data()) == (201, first.get_data())
    assert again.content_type == "application/json"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_keys_are_separate_per_scope(clock):
    store = IdempotencyStore(clock, LIFETIME)
    write = Handler()
    store.run(("tenant-a", "app"), "k1", "print", write)
    store.run(("tenant-b", "app"), "k1", "print", write)
    assert write.runs == 2


def test_the_same_key_for_another_request_is_refused(clock):
    store = IdempotencyStore(clock, LIFETIME)
    write = Handler()
    store.run(SCOPE, "k1", "print-a", write)
    with pytest.raises(KeyReused) as refused:
        store.run(SCOPE, "k1", "print-b", write)
    assert refused.value.key == "k1"
    assert write.runs == 1


def test_a_key_is_forgotten_once_its_lifetime_is_over(clock):
    store = IdempotencyStore(clock, LIFETIME)
    write = Handler()
    store.run(SCOPE, "k1", "print-a", write)
    clock.advance(LIFETIME.total_seconds() - 1)
    store.run(SCOPE, "k1", "print-a", write)
    assert write.runs == 1
    clock.advance(1)
    assert store.run(SCOPE, "k1", "print-b", write).status_code == 201
    assert write.runs == 2


def test_every_answer_is_replayed_by_default_even_an_error(clock):
    store = IdempotencyStore(clock, LIFETIME)
    write = Handler(400, 201)
    store.run(SCOPE, "k1", "print", write)
    assert store.run(SCOPE, "k1", "print", write).status_code == 400
    assert write.runs == 1


def test_an_answer_not_kept_lets_the_retry_run_again(clock):
    store = IdempotencyStore(clock, LIFETIME, keeps=successes_only)
    write = Handler(422, 201)
    assert store.run(SCOPE, "k1", "print", write).status_code == 422
    assert store.run(SCOPE, "k1", "print", write).status_code == 201
    assert write.runs == 2
    assert store.run(SCOPE, "k1", "print", write).get_data() == b'{"run": 2}'


def test_a_crashed_first_attempt_leaves_nothing_to_replay(clock):
    store = IdempotencyStore(clock, LIFETIME)

    def crash() -> Response:
        raise RuntimeError("handler crashed")

    with pytest.raises(RuntimeError):
        store.run(SCOPE, "k1", "print", crash)
    assert store.run(SCOPE, "k1", "print", Handler()).status_code == 201


def test_a_concurrent_repeat_waits_for_the_first_instead_of_running(clock):
    store = IdempotencyStore(clock, LIFETIME)
    started, finish = threading.Event(), threading.Event()
    write = Handler()

    def slow_write() -> Response:
        started.set()
        assert finish.wait(10)
        return write()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(store.run, SCOPE, "k1", "print", slow_write)
        assert started.wait(10)
        repeat = pool.submit(store.run, SCOPE, "k1", "print", slow_write)
        finish.set()
        answers = [first.result(timeout=10), repeat.result(timeout=10)]
    assert write.runs == 1
    assert answers[0].get_data() == answers[1].get_data()


def test_clear_forgets_every_key(clock):
    store = IdempotencyStore(clock, LIFETIME)
    write = Handler()
    store.run(SCOPE, "k1", "print", write)
    store.clear()
    store.run(SCOPE, "k1", "print", write)
    assert write.runs == 2


def test_fingerprints_tell_requests_apart_and_canonical_json_ignores_layout():
    assert fingerprint("PUT", "/a", b"{}") == fingerprint("PUT", "/a", b"{}")
    assert fingerprint("PUT", "/a", b"{}") != fingerprint("POST", "/a", b"{}")
    # Parts are delimited: moving bytes from one part to the next is another request.
    assert fingerprint("PUT", "/ab") != fingerprint("PUT/", "ab")
    assert canonical_json(b'{"b": 1, "a": [1, 2]}') == canonical_json(b'{"a":[1,2],"b":1}')
    assert canonical_json(b"not json") == b"not json"
