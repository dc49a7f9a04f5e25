"""Seeding for benchmarks: 10,000 customers in one control call, read back in pages."""

from __future__ import annotations

import requests

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_api import Api, qbo_api
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below


def test_ten_thousand_customers_are_seeded_and_imported_in_eleven_pages(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    seeded = requests.post(
        f"{qbo_server.url}/_emulator/companies/{DEMO_REALM_ID}/seed",
        json={"customers": 10_000},
        timeout=30,
    )
    assert seeded.status_code == 201
    assert len(set(seeded.json()["customers"])) == 10_000

    seen: set[str] = set()
    start = 1
    while True:
        answer = qbo_api.query(
            f"select * from Customer STARTPOSITION {start} MAXRESULTS 1000"  # noqa: S608
        )
        rows = answer.json()["QueryResponse"].get("Customer", [])
        seen |= {row["Id"] for row in rows}
        if len(rows) < 1000:
            break
        start += 1000

    assert len(seen) == 10_004  # with the demo company's four
    assert qbo_emulator.calls["GET /v3/company/{realm_id}/query"] == 11


def test_seeding_goes_through_the_apis_rules(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    url = f"{qbo_server.url}/_emulator/companies/{DEMO_REALM_ID}/seed"

    made = requests.post(url, json={"Customer": [{"DisplayName": "Seeded One"}]}, timeout=5)
    duplicate = requests.post(url, json={"Customer": [{"DisplayName": "seeded one"}]}, timeout=5)
    unknown = requests.post(f"{qbo_server.url}/_emulator/companies/1/seed", json={}, timeout=5)
    not_a_list = requests.post(url, json={"Customer": {"DisplayName": "x"}}, timeout=5)

    assert made.status_code == 201
    assert duplicate.status_code == 400
    assert "6240" in duplicate.json()["error"]
    assert unknown.status_code == 404
    assert not_a_list.status_code == 400
    assert qbo_emulator.calls == {}  # controls are never counted
