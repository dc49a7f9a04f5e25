"""Change Data Capture: one call reports every entity's changes, deletions included."""

from __future__ import annotations

from datetime import timedelta

from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from localdev.quickbooks.accounting.demo import seed_customers
from tests.support.quickbooks_api import Api, fault_of, gst_code_id, item_id, qbo_api, sales_line
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below
ENTITIES = "Customer,Item,Invoice,Payment"


def _cdc(api: Api, since: str, entities: str = ENTITIES) -> dict[str, list[dict[str, object]]]:
    answer = api.get("/cdc", params={"entities": entities, "changedSince": since})
    assert answer.status_code == 200, answer.text
    parts = answer.json()["CDCResponse"][0]["QueryResponse"]
    assert len(parts) == len(entities.split(","))
    found: dict[str, list[dict[str, object]]] = {}
    for part in parts:
        for name, records in part.items():
            if isinstance(records, list):
                found[name] = records
    return found


def _mark(emulator: QuickBooksEmulator) -> str:
    emulator.clock.advance(60)
    mark = emulator.clock.now().replace(microsecond=0)
    emulator.clock.advance(1)
    return mark.isoformat()


def test_a_quiet_company_answers_one_empty_part_per_entity(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    since = _mark(qbo_emulator)

    assert _cdc(qbo_api, since) == {}
    assert qbo_emulator.calls["GET /v3/company/{realm_id}/cdc"] == 1


def test_changes_of_every_entity_come_in_one_answer_with_deletions(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    since = _mark(qbo_emulator)
    customer = qbo_api.create("Customer", {"DisplayName": "Bronte Baths"})
    invoice = qbo_api.create(
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)],
        },
    )
    qbo_api.post(
        "/invoice", {"Id": invoice["Id"], "SyncToken": "0"}, params={"operation": "delete"}
    )
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    qbo_api.post(
        "/customer",
        {"Id": jane["Id"], "SyncToken": jane["SyncToken"], "sparse": True, "Active": False},
    )

    changes = _cdc(qbo_api, since)

    assert sorted(c["DisplayName"] for c in changes["Customer"]) == ["Bronte Baths", "Jane Nguyen"]
    [deleted] = changes["Invoice"]
    assert (deleted["Id"], deleted["status"]) == (invoice["Id"], "Deleted")
    assert set(deleted) == {"Id", "status", "domain", "MetaData"}
    assert "Item" not in changes


def test_changed_since_may_look_back_30_days_and_no_further(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    now = qbo_emulator.clock.now()
    inside = (now - timedelta(days=30) + timedelta(seconds=5)).isoformat()
    outside = (now - timedelta(days=30, seconds=5)).isoformat()

    assert qbo_api.get("/cdc", params={"entities": "Customer", "changedSince": inside}).ok
    refused = qbo_api.get("/cdc", params={"entities": "Customer", "changedSince": outside})

    assert refused.status_code == 400
    assert "30 days" in fault_of(refused)["Detail"]


def test_entities_and_changed_since_are_required_and_checked(qbo_api: Api) -> None:
    no_entities = qbo_api.get("/cdc", params={"changedSince": "2026-11-30T00:00:00Z"})
    no_since = qbo_api.get("/cdc", params={"entities": "Customer"})
    unknown = qbo_api.get(
        "/cdc", params={"entities": "Customers", "changedSince": "2026-11-30T00:00:00Z"}
    )
    bad_date = qbo_api.get("/cdc", params={"entities": "Customer", "changedSince": "yesterday"})

    assert fault_of(no_entities)["code"] == fault_of(no_since)["code"] == "2020"
    assert unknown.status_code == bad_date.status_code == 400


def test_more_than_1000_changes_answer_only_the_newest_1000(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    since = _mark(qbo_emulator)
    company = qbo_emulator.companies.company(DEMO_REALM_ID)
    assert company is not None
    oldest = seed_customers(company, 1, qbo_emulator.clock.now(), prefix="Oldest")
    qbo_emulator.clock.advance(1)
    newer = seed_customers(company, 1000, qbo_emulator.clock.now())

    changed = _cdc(qbo_api, since, "Customer")["Customer"]

    assert len(changed) == 1000
    assert {c["Id"] for c in changed} == set(newer)
    assert oldest[0] not in {c["Id"] for c in changed}
