"""A run's counts say which way records went, and still add up to the old totals."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.sync_run import Direction, DomainTally, RunTrigger, SyncRun

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _run() -> SyncRun:
    return SyncRun.queue("int_1", "t", RunTrigger.MANUAL, NOW)


def test_each_direction_is_counted_apart_and_the_totals_add_both():
    run = SyncRun.model_validate(
        {
            **_run().model_dump(mode="json"),
            "counts": {
                "customers": {
                    "to_app": {"created": 25, "failed": 1},
                    "to_loc8": {"unchanged": 9, "updated": 2},
                }
            },
        }
    )

    body = run.counts_json()

    assert body["counts"] == {
        "customers": {"created": 25, "updated": 2, "unchanged": 9, "failed": 1}
    }
    assert body["counts_by_direction"] == {
        "customers": {
            "to_app": {"created": 25, "updated": 0, "unchanged": 0, "failed": 1},
            "to_loc8": {"created": 0, "updated": 2, "unchanged": 9, "failed": 0},
        }
    }
    assert run.has_failures


def test_a_run_stored_before_directions_keeps_its_totals_and_claims_no_direction():
    stored = _run().model_dump(mode="json")
    stored["counts"] = {"customers": {"created": 34, "updated": 0, "unchanged": 9, "failed": 0}}

    run = SyncRun.model_validate(stored)

    body = run.counts_json()
    assert body["counts"] == {
        "customers": {"created": 34, "updated": 0, "unchanged": 9, "failed": 0}
    }
    assert body["counts_by_direction"] == {}
    assert not run.has_failures


def test_a_stored_run_reads_back_with_its_directions():
    run = _run()
    assert run.counts_json() == {"counts": {}, "counts_by_direction": {}}

    run.counts["payments"] = DomainTally()
    run.counts["payments"].toward(Direction.TO_LOC8).created = 3

    again = SyncRun.model_validate_json(run.model_dump_json())

    assert again.counts["payments"].to_loc8.created == 3
    assert again.counts["payments"].to_app.created == 0
    assert again.counts["payments"].has_directions
