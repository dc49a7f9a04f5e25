"""`requestid`: a repeated write answers the first answer instead of writing again."""

from __future__ import annotations

from localdev.quickbooks import QuickBooksEmulator
from tests.support.quickbooks_api import Api, fault_of, qbo_api
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below
CUSTOMER_PATH = "/v3/company/{realm_id}/customer"


def _count(api: Api) -> int:
    return int(api.query("select count(*) from Customer").json()["QueryResponse"]["totalCount"])


def test_a_repeated_request_id_replays_the_answer_and_writes_once(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    body = {"DisplayName": "Replay Plumbing"}
    first = qbo_api.post("/customer", body, params={"requestid": "rid-0001"})
    again = qbo_api.post("/customer", body, params={"requestid": "rid-0001"})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert _count(qbo_api) == 5
    assert qbo_emulator.calls[f"POST {CUSTOMER_PATH}"] == 2


def test_an_answer_lost_after_the_write_is_recovered_by_retrying_with_its_request_id(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.faults.add("POST", CUSTOMER_PATH, mode="commit_then_drop")
    body = {"DisplayName": "Lost Reply Electrical"}

    lost = qbo_api.post("/customer", body, params={"requestid": "rid-lost"})
    retried = qbo_api.post("/customer", body, params={"requestid": "rid-lost"})

    assert lost.status_code == 504
    assert retried.status_code == 200
    assert retried.json()["Customer"]["DisplayName"] == "Lost Reply Electrical"
    assert _count(qbo_api) == 5


def test_error_answers_are_replayed_too(qbo_api: Api) -> None:
    first = qbo_api.post("/customer", {"DisplayName": "Jane Nguyen"}, params={"requestid": "r-e"})
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    qbo_api.post(
        "/customer",
        {"Id": jane["Id"], "SyncToken": jane["SyncToken"], "sparse": True, "DisplayName": "J N"},
    )

    again = qbo_api.post("/customer", {"DisplayName": "Jane Nguyen"}, params={"requestid": "r-e"})

    assert first.status_code == again.status_code == 400
    assert fault_of(again)["code"] == "6240"
    assert _count(qbo_api) == 4


def test_a_request_id_reused_for_another_request_is_refused(qbo_api: Api) -> None:
    qbo_api.post("/customer", {"DisplayName": "First Use"}, params={"requestid": "rid-same"})

    other = qbo_api.post(
        "/customer", {"DisplayName": "Second Use"}, params={"requestid": "rid-same"}
    )

    assert other.status_code == 400
    assert fault_of(other)["code"] == "600"
    assert _count(qbo_api) == 5


def test_request_ids_are_at_most_50_characters(qbo_api: Api) -> None:
    too_long = qbo_api.post("/customer", {"DisplayName": "Long Id"}, params={"requestid": "x" * 51})
    fifty = qbo_api.post("/customer", {"DisplayName": "Fifty"}, params={"requestid": "x" * 50})

    assert too_long.status_code == 400
    assert fifty.status_code == 200


def test_a_batch_takes_a_request_id_as_a_whole(qbo_api: Api) -> None:
    body = {
        "BatchItemRequest": [
            {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch Replay"}}
        ]
    }

    first = qbo_api.post("/batch", body, params={"requestid": "batch-1"})
    again = qbo_api.post("/batch", body, params={"requestid": "batch-1"})

    assert again.json() == first.json()
    assert "Customer" in again.json()["BatchItemResponse"][0]
    assert _count(qbo_api) == 5
