"""Faults on the Loc8 emulator that hold a request open, and letting them go."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from localdev.loc8 import Loc8Emulator
from localdev.serving import RunningServer
from tests.support.loc8_emulator import TENANT, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CUSTOMERS = "/v1/tenants/{tenant_id}/customers"
HELD_FOR_MS = 60_000  # far longer than the test may take: only clearing can release it


def _wait_until_taken(server: RunningServer) -> None:
    """The fault is consumed (times=1) when the request starts waiting it out."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if requests.get(f"{server.url}/_emulator/faults", timeout=5).json() == []:
            return
        time.sleep(0.01)
    raise AssertionError("the held request never reached the fault")


def test_clearing_faults_releases_a_held_request(server: RunningServer, emulator: Loc8Emulator):
    emulator.faults.add("GET", CUSTOMERS, mode="delay", latency_ms=HELD_FOR_MS)
    url = f"{server.url}/v1/tenants/{TENANT}/customers"

    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(requests.get, url, headers=AUTH, timeout=HELD_FOR_MS / 1000 + 5)
        _wait_until_taken(server)
        cleared = requests.delete(f"{server.url}/_emulator/faults", timeout=5)
        assert cleared.status_code == 204
        # Released at once by the clear; without it the request would sit for a minute.
        assert held.result(timeout=10).status_code == 200
