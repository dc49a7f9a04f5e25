"""The emulator's test controls, over HTTP and in Python, and its command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from localdev.app_emulators import APP_EMULATORS
from localdev.loc8 import DEFAULT_SERVICE_TOKEN, Loc8Emulator
from localdev.loc8.problems import Problem
from localdev.stack import LocalStack, Ports, free_port
from tests.support.loc8_emulator import TENANT, TOKEN

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def control(server, method: str, path: str, body: object = None) -> requests.Response:
    return requests.request(method, f"{server.url}/_emulator{path}", json=body, timeout=5)


def test_tenants_are_added_listed_and_read_back(server, emulator: Loc8Emulator):
    created = control(server, "POST", "/tenants", {"tenant_id": "bravo", "seed": "demo"})
    assert created.status_code == 201
    assert created.json()["invoices"] == 40
    listed = {t["tenant_id"]: t for t in control(server, "GET", "/tenants").json()}
    assert set(listed) == {"demo", TENANT, "bravo"}
    assert control(server, "GET", "/tenants/bravo").json() == emulator.snapshot("bravo")
    assert control(server, "POST", "/tenants", {"tenant_id": ""}).status_code == 400


def test_invoices_are_written_as_a_loc8_user_would(server, emulator: Loc8Emulator):
    customer = emulator.snapshot("demo")["customers"][0]["id"]
    body = {
        "customer_id": customer,
        "issue_date": "2026-11-25",
        "due_date": "2026-12-09",
        "status": "issued",
        "lines": [
            {
                "description": "Labour",
                "quantity": "2",
                "unit_price": "124.00",
                "tax_type_code": "GST",
            }
        ],
    }
    created = control(server, "POST", "/tenants/demo/invoices", body)
    assert created.status_code == 201
    assert (created.json()["number"], created.json()["total"]) == ("INV-1041", "272.80")

    edited = control(
        server, "PUT", f"/tenants/demo/invoices/{created.json()['id']}", {**body, "status": "draft"}
    )
    assert edited.json()["version"] == 2
    bad = control(server, "POST", "/tenants/demo/invoices", {**body, "customer_id": "cus_x"})
    assert bad.status_code == 422


def test_faults_and_calls_over_http(server, emulator: Loc8Emulator):
    fault = {"method": "GET", "path": "/v1/tenants/{tenant_id}/invoices", "status": 503}
    assert control(server, "POST", "/faults", fault).status_code == 201
    assert len(control(server, "GET", "/faults").json()) == 1
    url = f"{server.url}/v1/tenants/demo/invoices"
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 503
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 200
    assert control(server, "GET", "/calls").json() == {"GET /v1/tenants/{tenant_id}/invoices": 2}
    assert control(server, "POST", "/faults", {"method": "GET"}).status_code == 400
    assert control(server, "DELETE", "/faults").status_code == 204


def test_the_clock_moves_forward_only(server):
    before = control(server, "GET", "/clock").json()
    after = control(server, "POST", "/clock", {"advance_seconds": 90}).json()
    assert after["offset_seconds"] == before["offset_seconds"] + 90
    assert control(server, "POST", "/clock", {"advance_seconds": -1}).status_code == 400


def test_reset_goes_back_to_the_starting_point(server):
    seeded = Loc8Emulator(seed_demo=True)
    seeded.tenant("demo").customers.clear()
    seeded.faults.add("GET", "/v1/tenants/{tenant_id}/customers")
    seeded.reset()
    assert len(seeded.snapshot("demo")["customers"]) == 25
    assert seeded.faults.list() == []

    assert control(server, "POST", "/reset").json() == {"reset": True}
    assert control(server, "GET", "/tenants").json() == []


def test_the_python_api_keeps_the_same_rules(emulator: Loc8Emulator):
    line = {"description": "Labour", "quantity": "1", "unit_price": "124", "tax_type_code": "GST"}
    invoice = {
        "customer_id": "cus_nobody",
        "issue_date": "2026-11-25",
        "due_date": "2026-11-24",
        "lines": [line],
    }
    with pytest.raises(Problem) as refused:
        emulator.add_invoice(TENANT, invoice)
    assert refused.value.status == 422
    assert {e["field"] for e in refused.value.extra["errors"]} == {"customer_id", "due_date"}


@pytest.fixture
def command_line() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "LOC8_API_SECRET": "cli-token", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "localdev.loc8", "--port", str(port), "--seed-demo"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/_emulator/tenants", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_line_seeds_demo_and_takes_the_token_from_env(command_line: str):
    url = f"{command_line}/v1/tenants/demo/line-items"
    assert requests.get(url, headers={"Authorization": "Bearer cli-token"}, timeout=5).ok
    default = {"Authorization": f"Bearer {DEFAULT_SERVICE_TOKEN}"}
    assert requests.get(url, headers=default, timeout=5).status_code == 401


def test_the_local_stack_points_the_service_at_the_emulator():
    apps = {entry.key: 10 + number for number, entry in enumerate(APP_EMULATORS)}
    stack = LocalStack(Ports(api=1, loc8=8102, moto=3, web=4, apps=apps))
    env = stack.service_env()
    assert env["LOC8_API_URL"] == "http://127.0.0.1:8102" == stack.loc8_url
    assert env["LOC8_API_SECRET"] == DEFAULT_SERVICE_TOKEN
    assert stack.loc8_env()["LOC8_API_SECRET"] == env["LOC8_API_SECRET"]
