"""The DynamoDB adapters against moto: uniqueness, optimistic locking, single-use states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib.adapters.dynamodb import GSI1, DynamoTable
from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
from chalicelib.adapters.oauth_state_store import DynamoOAuthStateStore
from chalicelib.domain.errors import AlreadyConnected, ConcurrentUpdate, NotFound
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.oauth_state import StateSigner
from tests.support.settings import TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(aws) -> DynamoIntegrationRepo:
    return DynamoIntegrationRepo(DynamoTable(TABLE))


@pytest.fixture
def states(aws) -> DynamoOAuthStateStore:
    return DynamoOAuthStateStore(DynamoTable(TABLE))


def new(tenant: str = "t1", app: str = "xero") -> Integration:
    return Integration(tenant_id=tenant, app=app, created_at=NOW, updated_at=NOW)


def test_an_added_integration_reads_back_equal(repo):
    added = new()
    repo.add(added)
    assert repo.get("t1", added.id) == added


def test_a_second_integration_of_the_same_app_is_refused(repo):
    first = new()
    repo.add(first)
    with pytest.raises(AlreadyConnected) as refused:
        repo.add(new())
    assert refused.value.existing_id == first.id
    assert [i.id for i in repo.list("t1")] == [first.id]


def test_integrations_are_only_visible_to_their_tenant(repo):
    mine = new("t1")
    repo.add(mine)
    with pytest.raises(NotFound):
        repo.get("t2", mine.id)
    assert repo.list("t2") == []


def test_a_stale_save_is_refused_and_the_newer_write_kept(repo):
    added = new()
    repo.add(added)
    first, second = repo.get("t1", added.id), repo.get("t1", added.id)
    first.grant([Organisation(id="o1", name="One")], NOW)
    repo.save(first)
    second.disconnect(NOW)
    with pytest.raises(ConcurrentUpdate):
        repo.save(second)
    assert second.revision == first.revision - 1
    assert repo.get("t1", added.id).status is IntegrationStatus.AUTHORISED


def test_disconnecting_frees_the_app_slot_but_keeps_the_record(repo):
    first = new()
    repo.add(first)
    first.disconnect(NOW)
    repo.save(first)
    second = new()
    repo.add(second)
    assert [i.id for i in repo.list("t1")] == [second.id]
    everything = repo.list("t1", include_disconnected=True)
    assert {i.id: i.status for i in everything} == {
        first.id: IntegrationStatus.DISCONNECTED,
        second.id: IntegrationStatus.PENDING_AUTHORISATION,
    }


def test_saving_an_old_disconnected_record_never_frees_a_newer_slot(repo):
    first = new()
    repo.add(first)
    first.disconnect(NOW)
    repo.save(first)
    second = new()
    repo.add(second)
    stale_again = repo.get("t1", first.id)
    repo.save(stale_again)
    with pytest.raises(AlreadyConnected):
        repo.add(new())


def test_only_active_integrations_are_in_the_fan_out_index(repo):
    active = new("t1")
    repo.add(active)
    active.grant([Organisation(id="o1", name="One")], NOW)
    active.status = IntegrationStatus.ACTIVE
    repo.save(active)
    repo.add(new("t2"))
    indexed = boto3.client("dynamodb").scan(TableName=TABLE, IndexName=GSI1)["Items"]
    assert [item["SK"]["S"] for item in indexed] == [f"INTEGRATION#{active.id}"]


def test_a_state_can_be_claimed_once(states):
    signer = StateSigner(b"k" * 32, timedelta(minutes=10))
    state = signer.issue("t1", "int_1", "xero", NOW, initiator="user-1")
    states.remember(state)
    assert states.claim(state) is True
    assert states.claim(state) is False


def test_a_released_state_can_be_claimed_again(states):
    state = StateSigner(b"k" * 32, timedelta(minutes=10)).issue(
        "t1", "int_1", "xero", NOW, initiator="user-1"
    )
    states.remember(state)
    assert states.claim(state)
    states.release(state)
    assert states.claim(state)


def test_an_unknown_state_cannot_be_claimed(states):
    state = StateSigner(b"k" * 32, timedelta(minutes=10)).issue(
        "t1", "int_1", "xero", NOW, initiator="user-1"
    )
    assert states.claim(state) is False
    states.release(state)  # harmless


def test_a_state_claimed_for_another_integration_is_refused(states):
    state = StateSigner(b"k" * 32, timedelta(minutes=10)).issue(
        "t1", "int_1", "xero", NOW, initiator="user-1"
    )
    states.remember(state)
    assert states.claim(state.model_copy(update={"integration_id": "int_2"})) is False
    assert states.claim(state.model_copy(update={"tenant_id": "t2"})) is False


def test_a_slot_left_by_an_interrupted_disconnect_is_taken_over(repo):
    first = new()
    repo.add(first)
    first.disconnect(NOW)
    # The record was saved but the process stopped before the slot was freed.
    repo._release_guard = lambda _integration: None  # type: ignore[method-assign]
    repo.save(first)
    second = new()
    repo.add(second)
    with pytest.raises(AlreadyConnected) as refused:
        repo.add(new())
    assert refused.value.existing_id == second.id


def activated(tenant: str) -> Integration:
    integration = new(tenant)
    integration.grant([Organisation(id=f"o-{tenant}", name=tenant)], NOW)
    integration.status = IntegrationStatus.ACTIVE
    return integration


def hold_slot(integration: Integration, until: datetime) -> None:
    from chalicelib.adapters.sync_runs_repo import DynamoSyncRuns
    from chalicelib.domain.sync_run import RunTrigger, SyncRun

    run = SyncRun.queue(integration.id, integration.tenant_id, RunTrigger.MANUAL, NOW)
    DynamoSyncRuns(DynamoTable(TABLE)).queue(run, until - NOW)


def test_the_fan_out_index_pairs_each_integration_with_its_held_slot(repo):
    idle, busy, paused = activated("t1"), activated("t2"), activated("t3")
    for integration in (idle, busy, paused):
        repo.add(integration)
        hold_slot(integration, NOW + timedelta(hours=2)) if integration is not idle else None
    paused.status = IntegrationStatus.PAUSED
    repo.save(paused)

    # Pages of two items: t1, t2 | t2's slot, t3's orphan slot: the slot opens a page.
    pages = list(repo.active_pages(page_size=2))

    assert [[(i.id, until) for i, until in page] for page in pages] == [
        [(idle.id, None)],
        [(busy.id, NOW + timedelta(hours=2))],
    ]
