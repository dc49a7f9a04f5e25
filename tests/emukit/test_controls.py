"""The `/_emulator/` controls and hooks the kit gives an emulator, seen over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from localdev.emukit import RunningServer
from tests.support.toy_emulator import ToyServices

HOUR_MS = 3_600_000


def control(server: RunningServer, method: str, path: str, body: object = None):
    return requests.request(method, f"{server.url}/_emulator{path}", json=body, timeout=5)


def test_the_clock_is_read_in_the_emulators_format_and_moved_forward(server: RunningServer):
    assert control(server, "GET", "/clock").json() == {
        "now": "20261125T120000",
        "offset_seconds": 0,
    }
    moved = control(server, "POST", "/clock", {"advance_seconds": 90})
    assert moved.json() == {"now": "20261125T120130", "offset_seconds": 90}


def test_refused_controls_answer_in_the_emulators_error_format(server: RunningServer):
    backwards = control(server, "POST", "/clock", {"advance_seconds": -1})
    assert backwards.status_code == 400
    assert backwards.json()["fault"]["field"] == "advance_seconds"
    not_an_object = control(server, "POST", "/faults", ["GET", "/notes"])
    assert not_an_object.json()["fault"]["message"] == "expected a JSON object"
    bad_fault = control(server, "POST", "/faults", {"method": "GET", "path": "/x", "mode": "?"})
    assert bad_fault.status_code == 400
    assert "mode must be one of" in bad_fault.json()["fault"]["message"]


def test_calls_are_counted_by_route_template_and_controls_are_not(server: RunningServer):
    requests.get(f"{server.url}/notes/a", timeout=5)
    requests.get(f"{server.url}/notes/b", timeout=5)
    requests.get(f"{server.url}/nowhere", timeout=5)
    control(server, "GET", "/notes")
    assert control(server, "GET", "/calls").json() == {
        "GET /notes/{note_id}": 2,
        "GET /nowhere": 1,
    }


def test_faults_are_added_listed_applied_and_cleared(server: RunningServer):
    added = control(server, "POST", "/faults", {"method": "GET", "path": "/notes/{id}"})
    assert added.status_code == 201
    assert [f["id"] for f in control(server, "GET", "/faults").json()] == [added.json()["id"]]

    injected = requests.get(f"{server.url}/notes/a", timeout=5)
    assert injected.status_code == 503
    assert injected.json() == {"fault": {"code": 503, "message": "toy says no"}}
    assert requests.get(f"{server.url}/notes/a", timeout=5).status_code == 200

    control(server, "POST", "/faults", {"method": "GET", "path": "/notes/{id}", "times": None})
    assert control(server, "DELETE", "/faults").status_code == 204
    assert control(server, "GET", "/faults").json() == []
    assert requests.get(f"{server.url}/notes/a", timeout=5).status_code == 200


def test_a_fault_body_is_labelled_as_the_emulators_json(server: RunningServer):
    body = {"custom": True}
    control(server, "POST", "/faults", {"method": "GET", "path": "/notes/{id}", "body": body})
    answer = requests.get(f"{server.url}/notes/a", timeout=5)
    assert answer.headers["Content-Type"] == "application/vnd.toy+json"
    assert answer.json() == body


def test_a_lost_reply_is_a_gateway_page_after_the_work_is_done(
    server: RunningServer, toy: ToyServices
):
    control(
        server, "POST", "/faults", {"method": "POST", "path": "/notes", "mode": "commit_then_drop"}
    )
    lost = requests.post(f"{server.url}/notes", timeout=5)
    assert lost.status_code == 504
    assert "<h1>504 Gateway Timeout</h1>" in lost.text
    assert toy.notes == ["note"]


def test_clearing_faults_over_http_releases_a_held_request(server: RunningServer, toy: ToyServices):
    toy.kit.faults.add("GET", "/notes/{id}", mode="delay", latency_ms=HOUR_MS)
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(requests.get, f"{server.url}/notes/a", timeout=30)
        assert toy.kit.faults.wait_until_held(1)
        control(server, "DELETE", "/faults")
        assert held.result(timeout=10).status_code == 200


def test_reset_clears_the_emulators_state_and_the_kits_parts(
    server: RunningServer, toy: ToyServices
):
    requests.post(f"{server.url}/notes", timeout=5)
    control(server, "POST", "/clock", {"advance_seconds": 60})
    control(server, "POST", "/faults", {"method": "GET", "path": "/notes/{id}"})

    assert control(server, "POST", "/reset").json() == {"reset": True}

    assert control(server, "GET", "/notes").json() == {"count": 0}
    assert control(server, "GET", "/faults").json() == []
    assert control(server, "GET", "/calls").json() == {}
    assert control(server, "GET", "/clock").json()["offset_seconds"] == 0
