"""The batch endpoint: up to 30 operations, queries or change-data-capture queries, each
answered (or faulted) on its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from localdev.quickbooks.accounting.demo import seed_customers
from tests.support.quickbooks_api import Api, fault_of, gst_code_id, item_id, qbo_api, sales_line
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below


def _customers(count: int, prefix: str = "Batch") -> list[dict[str, object]]:
    return [
        {"bId": f"b{n}", "operation": "create", "Customer": {"DisplayName": f"{prefix} {n}"}}
        for n in range(count)
    ]


def _count(api: Api, entity: str = "Customer") -> int:
    answer = api.query(f"select count(*) from {entity}")  # noqa: S608
    return int(answer.json()["QueryResponse"]["totalCount"])


def test_thirty_operations_are_answered_item_by_item(qbo_api: Api) -> None:
    answer = qbo_api.post("/batch", {"BatchItemRequest": _customers(30)})

    assert answer.status_code == 200
    items = answer.json()["BatchItemResponse"]
    assert [item["bId"] for item in items] == [f"b{n}" for n in range(30)]
    assert all(item["Customer"]["SyncToken"] == "0" for item in items)
    assert _count(qbo_api) == 34


def test_more_than_thirty_operations_are_refused_whole(qbo_api: Api) -> None:
    answer = qbo_api.post("/batch", {"BatchItemRequest": _customers(31)})

    assert answer.status_code == 400
    assert (fault_of(answer)["code"], fault_of(answer)["Message"]) == (
        "1040",
        "Batch size exceeds allowed limit",
    )
    assert _count(qbo_api) == 4


def test_a_failing_item_gets_a_fault_and_the_others_still_run(qbo_api: Api) -> None:
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    requests_ = [
        {"bId": "new", "operation": "create", "Customer": {"DisplayName": "Bondi Beach Cafe"}},
        {
            "bId": "stale",
            "operation": "update",
            "Customer": {"Id": jane["Id"], "SyncToken": "7", "sparse": True, "Notes": "x"},
        },
        {
            "bId": "invoice",
            "operation": "create",
            "Invoice": {
                "CustomerRef": {"value": jane["Id"]},
                "Line": [sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)],
            },
        },
        {"bId": "query", "Query": "select * from Customer where DisplayName = 'Jane Nguyen'"},
        {"bId": "bad-op", "operation": "merge", "Customer": {"DisplayName": "Merged"}},
    ]

    answer = qbo_api.post("/batch", {"BatchItemRequest": requests_})

    items = {item["bId"]: item for item in answer.json()["BatchItemResponse"]}
    assert items["new"]["Fault"]["Error"][0]["code"] == "6240"
    assert items["stale"]["Fault"]["Error"][0]["code"] == "5010"
    assert items["invoice"]["Invoice"]["TotalAmt"] == 121
    assert items["query"]["QueryResponse"]["Customer"][0]["Id"] == jane["Id"]
    assert "Fault" in items["bad-op"]
    assert _count(qbo_api, "Invoice") == 1


def test_batch_ids_are_required_and_unique(qbo_api: Api) -> None:
    repeated = _customers(2)
    repeated[1]["bId"] = "b0"
    missing = _customers(1)
    del missing[0]["bId"]

    for body in (repeated, missing):
        answer = qbo_api.post("/batch", {"BatchItemRequest": body})
        assert answer.status_code == 400
    assert _count(qbo_api) == 4


def test_a_batch_is_one_call_against_the_limits_and_counts(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_api.post("/batch", {"BatchItemRequest": _customers(30)})

    assert qbo_emulator.calls["POST /v3/company/{realm_id}/batch"] == 1
    usage = qbo_emulator.limits.usage()["realms"][qbo_api.realm_id]
    assert (usage["lastMinute"], usage["batchesLastMinute"]) == (1, 1)


def _cdc_item(since: str, entities: str = "Customer,Item,Invoice,Payment") -> dict[str, object]:
    return {"bId": "cdc", "CDCQuery": {"Entities": entities, "ChangedSince": since}}


def _changed(item: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A batch item's CDCResponse (one object, as Intuit's XSD and Java SDK read it)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for part in item["CDCResponse"]["QueryResponse"]:
        for name, records in part.items():
            if isinstance(records, list):
                found[name] = records
    return found


def test_a_cdc_query_rides_in_a_batch_beside_queries_and_sees_earlier_items(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.clock.advance(60)
    since = qbo_emulator.clock.now().replace(microsecond=0).isoformat()
    qbo_emulator.clock.advance(1)
    bronte = qbo_api.create("Customer", {"DisplayName": "Bronte Baths"})
    requests_ = [
        {"bId": "accounts", "Query": "select * from Account"},
        _cdc_item(since),
        {"bId": "new", "operation": "create", "Customer": {"DisplayName": "Coogee Pool"}},
        {**_cdc_item(since, "Customer"), "bId": "cdc-after"},
    ]

    answer = qbo_api.post("/batch", {"BatchItemRequest": requests_})

    assert answer.status_code == 200, answer.text
    items = {item["bId"]: item for item in answer.json()["BatchItemResponse"]}
    assert items["accounts"]["QueryResponse"]["Account"]
    assert [c["Id"] for c in _changed(items["cdc"])["Customer"]] == [bronte["Id"]]
    assert set(_changed(items["cdc"])) == {"Customer"}  # quiet entities answer empty parts
    after = [c["DisplayName"] for c in _changed(items["cdc-after"])["Customer"]]
    assert after == ["Bronte Baths", "Coogee Pool"]
    assert qbo_emulator.calls["POST /v3/company/{realm_id}/batch"] == 1
    assert "GET /v3/company/{realm_id}/cdc" not in qbo_emulator.calls


def test_a_cdc_query_item_keeps_cdcs_30_days_and_its_fields_and_faults_alone(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    now = qbo_emulator.clock.now()
    outside = (now - timedelta(days=30, seconds=5)).isoformat()
    inside = (now - timedelta(days=29)).isoformat()
    requests_ = [
        {**_cdc_item(outside), "bId": "old"},
        {"bId": "no-since", "CDCQuery": {"Entities": "Customer"}},
        {"bId": "unknown", "CDCQuery": {"Entities": "Customers", "ChangedSince": inside}},
        {"bId": "extra", "CDCQuery": {"Entities": "Customer", "ChangedSince": inside, "X": 1}},
        {**_cdc_item(inside, "Customer"), "bId": "with-op", "operation": "create"},
        {**_cdc_item(inside, "Customer"), "bId": "good"},
    ]

    answer = qbo_api.post("/batch", {"BatchItemRequest": requests_})

    items = {item["bId"]: item for item in answer.json()["BatchItemResponse"]}
    assert "30 days" in items["old"]["Fault"]["Error"][0]["Detail"]
    assert items["no-since"]["Fault"]["Error"][0]["code"] == "2020"
    assert "Fault" in items["unknown"]
    assert items["extra"]["Fault"]["Error"][0]["code"] == "2010"
    assert "Fault" in items["with-op"]
    assert len(_changed(items["good"])["Customer"]) == 4  # the demo's, made in the window


def test_a_cdc_query_item_answers_at_most_the_newest_1000_of_an_entity(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.clock.advance(60)
    since = qbo_emulator.clock.now().replace(microsecond=0).isoformat()
    qbo_emulator.clock.advance(1)
    company = qbo_emulator.companies.company(DEMO_REALM_ID)
    assert company is not None
    oldest = seed_customers(company, 1, qbo_emulator.clock.now(), prefix="Oldest")
    qbo_emulator.clock.advance(1)
    newer = seed_customers(company, 1000, qbo_emulator.clock.now())

    answer = qbo_api.post("/batch", {"BatchItemRequest": [_cdc_item(since, "Customer")]})

    [item] = answer.json()["BatchItemResponse"]
    changed = {c["Id"] for c in _changed(item)["Customer"]}
    assert changed == set(newer)
    assert oldest[0] not in changed
