"""The scheduled fan-out, "sync now" and the run history."""

from __future__ import annotations

import pytest

from tests.support.auth import bearer
from tests.support.consent import connect
from tests.support.jobs import activate, drain_queue, run_worker


def invoke_scheduler(api) -> dict:
    event = api.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return api.lambda_.invoke("sync_scheduler", event).payload


def test_the_schedule_enqueues_one_job_per_active_integration_without_a_pending_one(
    api, fake_app, loc8
):
    idle = activate(api, fake_app, tenant="tenant-a", organisation_id="org-a")
    activate(api, fake_app, tenant="tenant-b", organisation_id="org-b")  # stays busy
    paused = activate(api, fake_app, tenant="tenant-c", organisation_id="org-c")
    jobs = {job["integration_id"]: job for job in drain_queue()}
    run_worker(api, [jobs[idle], jobs[paused]])  # busy keeps its activation run queued
    api.http.post(f"/v1/integrations/{paused}/pause", headers=bearer("tenant-c"))

    result = invoke_scheduler(api)

    assert result == {"active": 2, "skipped_busy": 1, "enqueued": 1, "failed": 0}
    [scheduled] = drain_queue()
    assert (scheduled["integration_id"], scheduled["trigger"]) == (idle, "schedule")


def test_a_scheduled_job_runs_and_is_recorded(api, active, loc8, clock):
    run_worker(api, drain_queue())
    clock.advance(minutes=15)
    invoke_scheduler(api)
    [scheduled] = drain_queue()
    assert run_worker(api, [scheduled]) == {"batchItemFailures": []}
    runs = api.http.get(f"/v1/integrations/{active}/sync-runs", headers=bearer()).json_body["runs"]
    assert [(r["trigger"], r["status"]) for r in runs] == [
        ("schedule", "SUCCEEDED"),
        ("activation", "SUCCEEDED"),
    ]


def test_a_scheduled_job_racing_a_manual_one_is_dropped(api, active, loc8, container):
    run_worker(api, drain_queue())
    invoke_scheduler(api)
    [scheduled] = drain_queue()
    manual = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer()).json_body
    run_worker(api, [scheduled])
    runs = api.http.get(f"/v1/integrations/{active}/sync-runs", headers=bearer()).json_body["runs"]
    assert [r["id"] for r in runs if r["trigger"] == "schedule"] == []
    assert container.sync_runs.slot_holder(active) == manual["run_id"]


def test_sync_now_is_202_and_reuses_a_pending_run(api, active):
    activation = drain_queue()[0]["run_id"]
    first = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
    assert first.status_code == 202
    assert first.json_body == {"run_id": activation}
    assert drain_queue() == []


def test_sync_now_queues_a_manual_run_when_idle(api, active, loc8):
    run_worker(api, drain_queue())
    response = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
    [job] = drain_queue()
    assert job == {**job, "run_id": response.json_body["run_id"], "trigger": "manual"}
    again = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
    assert again.json_body["run_id"] == job["run_id"]


@pytest.mark.parametrize("action", ["pause", None])
def test_sync_now_is_409_unless_active(api, fake_app, loc8, action):
    if action is None:
        integration_id = connect(api, fake_app)["added"]["id"]
    else:
        integration_id = activate(api, fake_app)
        api.http.post(f"/v1/integrations/{integration_id}/{action}", headers=bearer())
    assert (
        api.http.post(f"/v1/integrations/{integration_id}/sync", headers=bearer()).status_code
        == 409
    )


def test_sync_now_needs_an_admin(api, active):
    response = api.http.post(f"/v1/integrations/{active}/sync", headers=bearer(roles=("viewer",)))
    assert response.status_code == 403


def test_run_history_pages_newest_first(api, active, loc8, clock):
    run_worker(api, drain_queue())
    for _ in range(4):
        clock.advance(minutes=1)
        api.http.post(f"/v1/integrations/{active}/sync", headers=bearer())
        run_worker(api, drain_queue())
    seen: list[str] = []
    cursor = None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = api.http.get(
            f"/v1/integrations/{active}/sync-runs{query}", headers=bearer()
        ).json_body
        seen += [run["id"] for run in page["runs"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=x", "?cursor=%21%21"])
def test_bad_paging_parameters_are_400(api, active, query):
    response = api.http.get(f"/v1/integrations/{active}/sync-runs{query}", headers=bearer())
    assert response.status_code == 400


def test_another_tenants_runs_are_404(api, active):
    run_id = drain_queue()[0]["run_id"]
    other = bearer("tenant-z")
    assert api.http.get(f"/v1/integrations/{active}/sync-runs", headers=other).status_code == 404
    assert (
        api.http.get(f"/v1/integrations/{active}/sync-runs/{run_id}", headers=other).status_code
        == 404
    )
    assert (
        api.http.get(f"/v1/integrations/{active}/sync-runs/run_x", headers=bearer()).status_code
        == 404
    )
