"""The service's activation through the MYOB provider stays exactly-once when MYOB
fails it once, anywhere: a create whose reply was lost after MYOB committed it (MYOB
has no idempotency key, so the sync finds it by its natural key before sending it
again), a 500, and MYOB's rate refusals (its 403, or a 429 from in front of it). Each
run defers and continues; afterwards each record is in MYOB exactly once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from localdev.emukit import Fault
from tests.support.myob_provider import CONFIG as _CONFIG
from tests.support.myob_provider import LOC8_TENANT, Service
from tests.support.myob_provider import activate as _activate
from tests.support.myob_provider import card_name as _card_name
from tests.support.myob_provider import loc8_snapshot as _loc8
from tests.support.myob_provider import myob_service as myob_service
from tests.support.myob_provider import sales as _sales

CF = "/accountright/{cf}"
FAULTS: dict[str, object] = {
    # Loc8's first customer shares its email with another: the card its lost create
    # left behind must not swallow the other customer.
    "customer reply lost": Fault("POST", f"{CF}/Contact/Customer", mode="commit_then_drop"),
    "item reply lost": Fault("POST", f"{CF}/Inventory/Item", mode="commit_then_drop"),
    "item-layout sale reply lost": Fault(
        "POST", f"{CF}/Sale/Invoice/Item", mode="commit_then_drop"
    ),
    "service-layout sale reply lost": Fault(
        "POST", f"{CF}/Sale/Invoice/Service", mode="commit_then_drop"
    ),
    "payment reply lost": Fault("POST", f"{CF}/Sale/CustomerPayment", mode="commit_then_drop"),
    "a 500 on a sale": Fault("POST", f"{CF}/Sale/Invoice/Service", status=500),
    "MYOB's 403 rate refusal": Fault("GET", f"{CF}/Contact/Customer", status=403),
    "a 429 on a payment": Fault("POST", f"{CF}/Sale/CustomerPayment", status=429),
}


def _once_each(values: list[str]) -> dict[str, int]:
    return {value: count for value, count in Counter(values).items() if count != 1}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=list(FAULTS))
def test_one_failure_anywhere_leaves_each_record_in_myob_once(myob_service, fault: Fault):
    service: Service = myob_service
    service.myob.faults.add_fault(fault)

    _integration_id, run = _activate(service)

    assert service.myob.faults.list() == []  # the fault was met
    loc8 = _loc8(service)
    cards = [_card_name(c) for c in service.records("Contact/Customer")]
    assert _once_each(cards) == {}
    assert set(cards) == {c["name"] for c in loc8["customers"]}
    numbers = [s["Number"] for s in _sales(service)]
    assert _once_each(numbers) == {}
    sent = {i["number"]: Decimal(i["total"]) for i in loc8["invoices"] if i["status"] != "draft"}
    assert {s["Number"]: Decimal(str(s["TotalAmount"])) for s in _sales(service)} == sent
    items = [i["Number"] for i in service.records("Inventory/Item")]
    assert _once_each(items) == {}
    taken_in_loc8 = sorted(
        Decimal(p["amount"]) for i in loc8["invoices"] for p in i["payments"] if p["app"] == "loc8"
    )
    in_myob = sorted(
        Decimal(str(p["AmountReceived"])) for p in service.records("Sale/CustomerPayment")
    )
    assert in_myob == taken_in_loc8
    assert run["status"] == "SUCCEEDED", run["errors"]


def test_a_customer_whose_create_reply_was_lost_is_found_by_name_and_made_once(myob_service):
    """The same lost reply, in a tenant whose customers' emails are their own."""
    service: Service = myob_service
    tenant = service.loc8.tenant(LOC8_TENANT)
    [sharing] = [
        c for c in tenant.customers.values() if c.fields.name.startswith("Harbourview Strata -")
    ]
    tenant.update_customer(
        sharing.id,
        sharing.fields.model_copy(update={"email": "sp51234@harbourview-strata.example"}),
        sharing.version,
    )
    service.myob.faults.add_fault(Fault("POST", f"{CF}/Contact/Customer", mode="commit_then_drop"))

    _integration_id, run = _activate(service)

    assert service.myob.faults.list() == []
    cards = [_card_name(c) for c in service.records("Contact/Customer")]
    assert _once_each(cards) == {}
    assert set(cards) == {c["name"] for c in _loc8(service)["customers"]}
    assert run["status"] == "SUCCEEDED", run["errors"]


class _ShortDelivery:
    """A Lambda whose time runs out after a dozen budget checks: the job stops between
    pages or batches and continues in a new delivery."""

    def __init__(self) -> None:
        self._checks = 0

    def get_remaining_time_in_millis(self) -> int:
        self._checks += 1
        return max(0, 60_000 - 1_000 * self._checks)

    function_name = "sync_worker"
    memory_limit_in_mb = 512
    aws_request_id = "short-delivery"
    invoked_function_arn = "arn:aws:lambda:ap-southeast-2:123456789012:function:sync_worker"


def test_jobs_cut_short_continue_without_making_anything_twice(myob_service):
    service: Service = myob_service
    integration_id = service.connect()
    configured = service.call("put", f"/v1/integrations/{integration_id}/config", _CONFIG)
    assert configured.status_code == 200, configured.body

    service.run_jobs(context=_ShortDelivery)

    [run] = service.call("get", f"/v1/integrations/{integration_id}/sync-runs").json_body["runs"]
    assert service.queue.delays  # it did continue in later deliveries
    loc8 = _loc8(service)
    cards = [_card_name(c) for c in service.records("Contact/Customer")]
    assert _once_each(cards) == {}
    assert set(cards) == {c["name"] for c in loc8["customers"]}
    assert _once_each([s["Number"] for s in _sales(service)]) == {}
    assert {s["Number"] for s in _sales(service)} == {
        i["number"] for i in loc8["invoices"] if i["status"] != "draft"
    }
    assert len(service.records("Sale/CustomerPayment")) == sum(
        1 for i in loc8["invoices"] for p in i["payments"] if p["app"] == "loc8"
    )
    assert service.run(integration_id, run["id"])["status"] == "SUCCEEDED"
