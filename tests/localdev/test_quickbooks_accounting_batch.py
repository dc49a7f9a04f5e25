"""The batch endpoint: up to 30 operations, each answered (or faulted) on its own."""

from __future__ import annotations

from localdev.quickbooks import QuickBooksEmulator
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
