"""The MYOB emulator's controls: reset, company files, quick seeding, read-back, limits,
configuration from the environment and the standalone entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from localdev.myob import (
    DEFAULT_CLIENT_ID,
    DEMO_COMPANY_FILE_ID,
    MyobEmulator,
    MyobLimits,
)
from localdev.myob.errors import ValidationErrors
from tests.support.myob_emulator_fixtures import MyobFlow, served_myob

OTHER_FILE = "0f3c2a4b-1d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def myob() -> Iterator[MyobFlow]:
    with served_myob() as flow:
        yield flow


def _control(myob: MyobFlow, method: str, path: str, **kwargs: object) -> requests.Response:
    return myob.http.request(method, f"{myob.url}/_emulator{path}", timeout=5, **kwargs)


def test_reset_forgets_consents_records_and_counts(myob: MyobFlow) -> None:
    session = myob.login()
    myob.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 5)
    myob.call(session, "GET", "Contact/Customer")

    assert _control(myob, "POST", "/reset").json() == {"reset": True}

    assert myob.emulator.grants() == []
    assert myob.call(session, "GET", "Contact/Customer").status_code == 401
    assert len(myob.emulator.records(DEMO_COMPANY_FILE_ID, "Contact/Customer")) == 3
    assert myob.emulator.calls == {"GET /accountright/{cf}/Contact/Customer": 1}


def test_a_second_company_file_and_its_state(myob: MyobFlow) -> None:
    added = _control(
        myob,
        "POST",
        "/company-files",
        json={"name": "Empty Co", "id": OTHER_FILE, "demo_data": False},
    )
    again = _control(myob, "POST", "/company-files", json={"name": "Empty Co", "id": OTHER_FILE})
    state = _control(myob, "GET", "/state").json()

    assert added.status_code == 201
    assert again.status_code == 400
    assert again.json()["Errors"][0]["Name"] == "ControlRefused"
    files = {f["Id"]: f for f in state["company_files"]}
    assert files[OTHER_FILE]["Records"]["Contact/Customer"] == 0
    assert files[OTHER_FILE]["Records"]["GeneralLedger/TaxCode"] == 6
    assert files[DEMO_COMPANY_FILE_ID]["Records"]["Contact/Customer"] == 3


def test_seeding_ten_thousand_customers_reads_back_in_eleven_pages(myob: MyobFlow) -> None:
    seeded = _control(
        myob, "POST", f"/company-files/{DEMO_COMPANY_FILE_ID}/seed", json={"customers": 10_000}
    )
    session = myob.login()
    url: str | None = f"/accountright/{DEMO_COMPANY_FILE_ID}/Contact/Customer?$top=1000"
    pages = 0
    while url:
        url = myob.call(session, "GET", url.removeprefix(myob.url)).json()["NextPageLink"]
        pages += 1

    assert seeded.json() == {"customers": 10_003}
    assert pages == 11
    assert myob.emulator.calls["GET /accountright/{cf}/Contact/Customer"] == 11


def test_seeding_refuses_a_bad_count(myob: MyobFlow) -> None:
    for count in (0, -1, "10", True, 200_001):
        answer = _control(
            myob, "POST", f"/company-files/{DEMO_COMPANY_FILE_ID}/seed", json={"customers": count}
        )
        assert answer.status_code == 400


def test_records_read_back_with_their_uris(myob: MyobFlow) -> None:
    items = _control(
        myob, "GET", f"/company-files/{DEMO_COMPANY_FILE_ID}/records/Inventory/Item"
    ).json()

    assert [item["Number"] for item in items] == ["SVC-HOUR", "SVC-CALL", "PART-TAP"]
    assert items[0]["URI"].startswith(f"{myob.url}/accountright/{DEMO_COMPANY_FILE_ID}/")


def test_limits_can_be_changed_for_a_run(myob: MyobFlow) -> None:
    changed = _control(myob, "PUT", "/limits", json={"per_second": 2})
    session = myob.login()
    answers = [myob.call(session, "GET", "GeneralLedger/TaxCode").status_code for _ in range(3)]

    assert changed.json() == {"per_second": 2, "per_day": 1_000_000}
    assert answers == [200, 200, 403]
    assert _control(myob, "PUT", "/limits", json={"per_second": 0}).status_code == 400


def test_controls_are_neither_counted_nor_rate_limited(myob: MyobFlow) -> None:
    for _ in range(3):
        _control(myob, "GET", "/state")

    assert myob.emulator.calls == {}


def test_from_env_reads_key_redirects_and_limits() -> None:
    emulator = MyobEmulator.from_env(
        {
            "MYOB_CLIENT_ID": "key-from-env",
            "MYOB_CLIENT_SECRET": "secret-from-env",
            "MYOB_REDIRECT_URI": "http://a.test/cb,http://b.test/cb",
            "MYOB_RATE_LIMIT_SECOND": "3",
            "MYOB_RATE_LIMIT_DAY": "500",
        }
    )
    defaults = MyobEmulator.from_env({})

    assert emulator.registered_app.client_id == "key-from-env"
    assert emulator.registered_app.redirect_uris == ("http://a.test/cb", "http://b.test/cb")
    assert emulator.limits.limits == MyobLimits(per_second=3, per_day=500)
    assert defaults.registered_app.client_id == DEFAULT_CLIENT_ID
    assert defaults.limits.limits == MyobLimits(per_second=8, per_day=1_000_000)


def test_the_entry_point_serves_and_never_prints_the_secret() -> None:
    env = {**os.environ, "MYOB_CLIENT_ID": "banner-key", "MYOB_CLIENT_SECRET": "banner-secret-9"}
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev.myob", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(8)]
        base_url = banner[0].split(" on ")[1].strip()
        answer = requests.get(f"{base_url}/_emulator/state", timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert banner[0].startswith("MYOB emulator listening on http://127.0.0.1:")
    assert any("api key:     banner-key" in line for line in banner)
    assert not any("banner-secret-9" in line for line in banner)
    assert answer.json()["company_files"][0]["Name"] == "Loc8 Demo Plumbing"


def test_create_applies_the_apis_rules_without_http(myob: MyobFlow) -> None:
    [gst] = [
        tax
        for tax in myob.emulator.records(DEMO_COMPANY_FILE_ID, "GeneralLedger/TaxCode")
        if tax["Code"] == "GST"
    ]
    body = {
        "CompanyName": "Made In Process Pty Ltd",
        "IsIndividual": False,
        "DisplayID": "L8-PROC",
        "SellingDetails": {"TaxCode": {"UID": gst["UID"]}, "FreightTaxCode": {"UID": gst["UID"]}},
    }

    created = myob.emulator.create(DEMO_COMPANY_FILE_ID, "Contact/Customer", body)
    with pytest.raises(ValidationErrors) as refused:
        myob.emulator.create(DEMO_COMPANY_FILE_ID, "Contact/Customer", body)

    assert created["URI"] == f"{{cf_uri}}/Contact/Customer/{created['UID']}"
    assert [error.name for error in refused.value.errors] == ["CardIdInUse"]
    assert myob.emulator.calls == {}
