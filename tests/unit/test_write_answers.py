"""A batched write's answers paired with what was sent; record errors past the cap counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounting import WriteResult
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.sync_config import SyncConfig
from chalicelib.domain.sync_run import Direction, RunTrigger, SyncRun
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.writes import answers_for, outcome_unknown
from tests.support.fakes import FakeAccountingSettings, FakeClock, FakeLoc8, MemoryCursors

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def ok(value: str) -> WriteResult[str]:
    return WriteResult(ok=True, record=value)


def test_answers_of_the_same_length_pair_in_order():
    sent = ["a", "b"]
    paired = answers_for(sent, [ok("A"), ok("B")])
    assert [(s, r.record) for s, r in paired] == [("a", "A"), ("b", "B")]
    assert not any(outcome_unknown(r) for _, r in paired)


def test_a_short_or_long_answer_leaves_every_record_of_the_batch_unknown():
    for answers in ([ok("A")], [ok("A"), ok("B"), ok("C")], []):
        paired = answers_for(["a", "b"], answers)
        assert [s for s, _ in paired] == ["a", "b"]
        assert all(outcome_unknown(r) and r.reason is WriteFailure.UNKNOWN for _, r in paired)


def test_a_refusal_is_a_known_outcome():
    refused = WriteResult[str](ok=False, errors=["taken"], reason=WriteFailure.NAME_TAKEN)
    assert not outcome_unknown(refused)


def test_record_errors_past_the_cap_are_counted_not_kept():
    integration = Integration(
        tenant_id="t",
        app="xero",
        status=IntegrationStatus.ACTIVE,
        created_at=NOW,
        updated_at=NOW,
        organisation=Organisation(id="o1", name="One", connection_id="c1"),
    )
    context = SyncContext(
        integration=integration,
        config=SyncConfig.model_validate({"sync": {"customers": True}}),
        run=SyncRun.queue(integration.id, "t", RunTrigger.MANUAL, NOW),
        app=FakeAccountingSettings(),  # type: ignore[arg-type]
        loc8=FakeLoc8(),
        cursors=MemoryCursors(),
        links=None,  # type: ignore[arg-type]  # nothing here keeps links
        clock=FakeClock(NOW),
        remaining_time=lambda: timedelta(minutes=10),
        record_errors_cap=3,
    )
    for n in range(4):
        context.record_error("customers", Direction.TO_APP, f"c{n}", "refused")
    context.record_conflict("customers", "c9", "changed in both apps")

    assert [e.record for e in context.run.errors] == ["c0", "c1", "c2"]
    assert context.run.errors_truncated == 2
    assert context.counts("customers", Direction.TO_APP).failed == 4
    assert context.counts("customers", Direction.TO_LOC8).failed == 0
