"""MYOB's per-API-key limits (8 calls a second and a daily cap, shared by every company
file and token of the key) and the faults the kit injects, in MYOB's error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from localdev.emukit import Fault
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobLimits
from tests.support.myob_emulator_fixtures import MyobFlow, served_myob

OTHER_FILE = "0f3c2a4b-1d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def myob() -> Iterator[MyobFlow]:
    """MYOB's own limits, with a small daily cap so a test can reach it."""
    with served_myob(MyobLimits(per_second=8, per_day=20)) as flow:
        yield flow


def _rate_error(answer: requests.Response) -> str:
    assert answer.status_code == 403
    [error] = answer.json()["Errors"]
    assert error["Name"] == "RateLimitError"
    assert error["AdditionalDetails"] == "Header: x-myobapi-key"
    return str(error["Message"])


def test_the_ninth_call_in_a_second_is_refused(myob: MyobFlow) -> None:
    session = myob.login()
    answers = [myob.call(session, "GET", "GeneralLedger/TaxCode") for _ in range(9)]

    assert [answer.status_code for answer in answers[:8]] == [200] * 8
    assert _rate_error(answers[8]) == "API key has exceeded the per-second rate limit"
    myob.emulator.clock.advance(1)
    assert myob.call(session, "GET", "GeneralLedger/TaxCode").status_code == 200


def test_the_limit_is_per_api_key_across_files_and_tokens(myob: MyobFlow) -> None:
    myob.emulator.add_company_file("Second Site Plumbing", OTHER_FILE)
    first = myob.login()
    second = myob.login(business_id=OTHER_FILE)
    for _ in range(4):
        assert myob.call(first, "GET", "GeneralLedger/TaxCode").ok
        assert myob.call(second, "GET", f"/accountright/{OTHER_FILE}/GeneralLedger/TaxCode").ok

    refused = myob.call(second, "GET", f"/accountright/{OTHER_FILE}/GeneralLedger/TaxCode")

    assert _rate_error(refused) == "API key has exceeded the per-second rate limit"


def test_retrying_at_once_stays_refused(myob: MyobFlow) -> None:
    session = myob.login()
    for _ in range(8):
        myob.call(session, "GET", "GeneralLedger/TaxCode")
    myob.emulator.clock.advance(0.9)
    for _ in range(8):
        assert myob.call(session, "GET", "GeneralLedger/TaxCode").status_code == 403

    myob.emulator.clock.advance(0.1)
    retried_at_once = myob.call(session, "GET", "GeneralLedger/TaxCode")
    myob.emulator.clock.advance(1)
    waited = myob.call(session, "GET", "GeneralLedger/TaxCode")

    assert _rate_error(retried_at_once) == "API key has exceeded the per-second rate limit"
    assert waited.status_code == 200
    assert myob.emulator.calls["GET /accountright/{cf}/GeneralLedger/TaxCode"] == 18


def test_the_daily_cap(myob: MyobFlow) -> None:
    session = myob.login()
    for _ in range(20):
        assert myob.call(session, "GET", "GeneralLedger/TaxCode").ok
        myob.emulator.clock.advance(0.2)

    capped = myob.call(session, "GET", "GeneralLedger/TaxCode")
    myob.emulator.clock.advance(3600)
    still = myob.call(session, "GET", "GeneralLedger/TaxCode")
    myob.emulator.clock.advance(86_400)

    assert _rate_error(capped) == "API key has exceeded the daily rate limit"
    assert _rate_error(still) == "API key has exceeded the daily rate limit"
    assert myob.call(myob.login(), "GET", "GeneralLedger/TaxCode").status_code == 200


def test_the_oauth_host_does_not_spend_the_api_budget(myob: MyobFlow) -> None:
    for _ in range(10):
        session = myob.login()

    assert myob.call(session, "GET", "GeneralLedger/TaxCode").status_code == 200


def test_an_injected_failure_is_in_myobs_body(myob: MyobFlow) -> None:
    session = myob.login()
    path = "/accountright/{cf}/Contact/Customer"
    myob.emulator.faults.add_fault(Fault(method="GET", path=path, status=500))
    myob.emulator.faults.add_fault(Fault(method="POST", path=path, status=403))

    failed = myob.call(session, "GET", "Contact/Customer")
    refused = myob.call(session, "POST", "Contact/Customer", json={})

    assert failed.status_code == 500
    assert failed.json()["Errors"][0]["Name"] == "InternalError"
    assert _rate_error(refused) == "API key has exceeded the per-second rate limit"
    assert myob.call(session, "GET", "Contact/Customer").status_code == 200


def test_a_lost_reply_after_a_post_still_created_the_record(myob: MyobFlow) -> None:
    session = myob.login()
    [tax] = myob.call(
        session, "GET", "GeneralLedger/TaxCode", params={"$filter": "Code eq 'GST'"}
    ).json()["Items"]
    myob.emulator.faults.add_fault(
        Fault(method="POST", path="/accountright/{cf}/Contact/Customer", mode="commit_then_drop")
    )

    lost = myob.call(
        session,
        "POST",
        "Contact/Customer",
        json={
            "CompanyName": "Lost Reply Pty Ltd",
            "IsIndividual": False,
            "DisplayID": "L8-LOST",
            "SellingDetails": {
                "TaxCode": {"UID": tax["UID"]},
                "FreightTaxCode": {"UID": tax["UID"]},
            },
        },
    )
    found = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": "DisplayID eq 'L8-LOST'"}
    ).json()

    assert lost.status_code == 504
    assert found["Count"] == 1
    assert myob.emulator.records(DEMO_COMPANY_FILE_ID, "Contact/Customer")[-1]["DisplayID"] == (
        "L8-LOST"
    )
