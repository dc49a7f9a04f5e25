"""MYOB Business end to end on the local stack, over real HTTP only: the service's API,
the MYOB emulator's consent page, API and controls, and the Loc8 emulator.

The scenario a Loc8 admin lives through (connect, configure, activation, both sides
level, payments both ways, a lapsed consent reconnected, reconnect without duplicates),
then the faults a sync must survive with exactly one MYOB record per Loc8 record
afterwards: a create MYOB did whose reply was lost (MYOB has no idempotency key), a 500,
MYOB's own 403 rate refusal and a 429 from in front of it, and a job cut off at its time
budget.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from localdev.stack import Ports
from tests.support.local_stack import admin
from tests.support.myob_stack import (
    MyobBusiness,
    MyobCompanyFile,
    MyobTenant,
    card_name,
)
from tests.support.quickbooks_stack import (
    DELIVERY_BUDGET_SECONDS,
    TIMEOUT,
    ShortDeliveryStack,
    loc8_payments,
    money,
    sent_invoices,
)

pytestmark = pytest.mark.e2e

CF = "/accountright/{cf}"
# Retry-After on the injected failures keeps the continuation's wait short.
RETRY_SOON = {"Retry-After": "1"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShortDeliveryStack]:
    """This module's own stack: its worker's deliveries are cut off after a few seconds."""
    running = ShortDeliveryStack(
        Ports.free(), log_dir=tmp_path_factory.mktemp("myob-logs"), schedule_seconds=3600
    )
    with running:
        yield running


@pytest.fixture(scope="module")
def myob(stack: ShortDeliveryStack) -> MyobBusiness:
    return MyobBusiness.of(stack)


@pytest.fixture(autouse=True)
def no_faults_left(myob: MyobBusiness) -> Iterator[None]:
    yield
    myob.clear_faults()


def _deferrals(stack: ShortDeliveryStack, run_id: str) -> list[str]:
    """Why the worker stopped a delivery of this run early, as its log says."""
    lines = stack.log_path("pump").read_text(errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return [
        e["reason"]
        for e in entries
        if e.get("message") == "run deferred" and e.get("run_id") == run_id
    ]


def _assert_level(tenant: MyobTenant, company_file: MyobCompanyFile) -> dict[str, Any]:
    """Exactly one MYOB record per Loc8 record, with the same totals and payments."""
    loc8 = tenant.snapshot()
    copies = company_file.copies()
    for entity, counted in copies.items():
        assert {name: n for name, n in counted.items() if n > 1} == {}, entity
    assert set(copies["Customer"]) == {c["name"] for c in loc8["customers"]}
    in_myob = {s["Number"]: money(s["TotalAmount"]) for s in company_file.sales()}
    assert in_myob == sent_invoices(loc8)
    in_loc8 = sorted(
        (i["number"], money(p["amount"])) for i in loc8["invoices"] for p in i["payments"]
    )
    assert company_file.payments() == in_loc8
    return loc8


def _loc8_counts(loc8: dict[str, Any]) -> dict[str, int]:
    counted = {k: len(loc8[k]) for k in ("customers", "line_items", "invoices")}
    return {**counted, "payments": sum(len(i["payments"]) for i in loc8["invoices"])}


def _made(run: dict[str, Any]) -> dict[tuple[str, str], int]:
    """What the run reports it created, by domain and direction."""
    return {
        (domain, direction): counts["created"]
        for domain, directions in run["counts_by_direction"].items()
        for direction, counts in directions.items()
    }


def _assert_quiet(run: dict[str, Any]) -> None:
    assert run["status"] == "SUCCEEDED", (run["errors"], run["counts_by_direction"])
    for domain, directions in run["counts_by_direction"].items():
        for direction, counts in directions.items():
            assert counts["created"] == counts["updated"] == 0, (domain, direction, counts)


def _reconnect(tenant: MyobTenant, company_file: MyobCompanyFile, integration_id: str) -> str:
    """Disconnect, add MYOB again, consent to the same company file and save the config
    the page shows from the previous connection; returns the new integration's id."""
    last_saved = tenant.api("GET", f"/v1/integrations/{integration_id}/config").json()
    tenant.disconnect(integration_id)
    again = tenant.connect(company_file)
    shown = tenant.api("GET", f"/v1/integrations/{again}/config")
    assert shown.status_code == 200, shown.text
    assert shown.json() == {**last_saved, "source": "previous_connection"}
    saved = tenant.api(
        "PUT",
        f"/v1/integrations/{again}/config",
        shown.json(),
        **{"If-Match": shown.headers["ETag"]},
    )
    assert saved.status_code == 200, saved.text
    return again


def test_the_catalogue_offers_myob_business(stack: ShortDeliveryStack):
    apps = requests.get(f"{stack.api_url}/v1/apps", headers=admin(), timeout=TIMEOUT).json()["apps"]
    [myob] = [app for app in apps if app["key"] == "myob"]
    assert myob["available"] is True
    assert "AUTHORISED" in myob["invoice_statuses"]


def test_connect_configure_sync_payments_both_ways_and_reconnect_without_duplicates(
    stack: ShortDeliveryStack, myob: MyobBusiness
):
    tenant = MyobTenant.seeded(stack, "myob-scenario")
    company_file = myob.add_file("Scenario Plumbing")
    cards_before = {card_name(c) for c in company_file.records("Contact/Customer")}
    refusals_before = myob.rate_limit_refusals()
    first = tenant.connect(company_file)
    second = None
    try:
        tenant.configure(first)
        activation = tenant.finished_run(first)
        assert activation["trigger"] == "activation"
        assert activation["status"] == "SUCCEEDED", activation["errors"]

        # Both sides level: MYOB's own cards came to Loc8, Loc8's customers went over once,
        # every issued or paid invoice is there with Loc8's number and total, and every
        # payment taken in Loc8 is applied to it.
        loc8 = _assert_level(tenant, company_file)
        assert cards_before < {c["name"] for c in loc8["customers"]}
        assert loc8_payments(loc8, "loc8")

        # A payment made in MYOB, and one taken on site in Loc8, on two open invoices.
        open_in_myob = sorted(
            (s for s in company_file.sales() if money(s["BalanceDueAmount"]) > 0),
            key=lambda s: s["Number"],
        )
        paid_in_myob = open_in_myob[0]
        [paid_in_loc8] = [i for i in loc8["invoices"] if i["number"] == open_in_myob[1]["Number"]]
        myob.signed_in_user(company_file).pay(paid_in_myob)
        tenant.record_payment(paid_in_loc8, f"rcpt-myob-{first}")

        both_ways = tenant.sync_now(first)

        assert both_ways["status"] == "SUCCEEDED", both_ways["errors"]
        payments = both_ways["counts_by_direction"]["payments"]
        assert (payments["to_loc8"]["created"], payments["to_app"]["created"]) == (1, 1)
        loc8 = _assert_level(tenant, company_file)
        [reached_loc8] = [i for i in loc8["invoices"] if i["number"] == paid_in_myob["Number"]]
        assert reached_loc8["status"] == "paid"
        assert [(p["app"], money(p["amount"])) for p in reached_loc8["payments"]] == [
            ("myob", money(paid_in_myob["BalanceDueAmount"]))
        ]
        [reached_myob] = [s for s in company_file.sales() if s["Number"] == paid_in_loc8["number"]]
        assert money(reached_myob["BalanceDueAmount"]) == Decimal("0.00")
        [paid_on_site] = [i for i in loc8["invoices"] if i["id"] == paid_in_loc8["id"]]
        assert paid_on_site["status"] == "paid"

        # The company file's consent lapses: the next sync asks the admin to reconnect,
        # and after consenting again a sync finds nothing to make.
        counts = company_file.counts()
        loc8_counts = _loc8_counts(loc8)
        myob.lapse_consent(company_file)
        tenant.sync_now(first)
        shown = tenant.status(first)
        assert shown["status"] == "NEEDS_RECONNECT"
        assert "consent lapsed or was withdrawn" in shown["attention"]["message"]
        tenant.reauthorise(first, company_file)
        assert tenant.status(first)["status"] == "ACTIVE"
        _assert_quiet(tenant.sync_now(first))
        assert company_file.counts() == counts

        # Reconnect: disconnect, add again and consent to the same company file.
        second = _reconnect(tenant, company_file, first)
        again = tenant.finished_run(second)
        assert again["trigger"] == "activation"
        assert again["status"] == "SUCCEEDED", again["errors"]

        assert company_file.counts() == counts
        loc8 = _assert_level(tenant, company_file)
        assert _loc8_counts(loc8) == loc8_counts
        made = _made(again)
        assert made == dict.fromkeys(made, 0)
        # One call per record, and never once past MYOB's 8 a second for the key.
        assert myob.rate_limit_refusals() == refusals_before
    finally:
        for integration_id in (first, second):
            if integration_id:
                tenant.disconnect(integration_id)


TIME_USED = "The run used its time; it continues in a new invocation."
# Each fault, on MYOB's first answer to one kind of write, and what the worker says when
# it stops the delivery that met it. They all meet one activation: at MYOB's 8 calls a
# second an activation takes half a minute, too long to spend one on each fault.
FAULTS = {
    "a customer's create answered 500": (
        {"method": "POST", "path": f"{CF}/Contact/Customer", "status": 500},
        "MYOB Business is unavailable right now (HTTP 500); try again.",
    ),
    "an item's create refused by MYOB's per-key rate limit (403)": (
        {"method": "POST", "path": f"{CF}/Inventory/Item", "status": 403},
        "MYOB Business's per-second rate limit for this API key was reached.",
    ),
    "a service sale made but its reply lost": (
        {"method": "POST", "path": f"{CF}/Sale/Invoice/Service", "mode": "commit_then_drop"},
        "MYOB Business is unavailable right now (HTTP 504); try again.",
    ),
    "an item sale made and answered past the delivery's time budget": (
        {
            "method": "POST",
            "path": f"{CF}/Sale/Invoice/Item",
            "mode": "delay",
            "latency_ms": int((DELIVERY_BUDGET_SECONDS + 0.5) * 1000),
        },
        TIME_USED,
    ),
    "a payment refused with a 429 from in front of MYOB": (
        {"method": "POST", "path": f"{CF}/Sale/CustomerPayment", "status": 429},
        "MYOB Business's per-second rate limit for this API key was reached.",
    ),
}


def test_failed_and_cut_off_writes_leave_exactly_one_record_per_record(
    stack: ShortDeliveryStack, myob: MyobBusiness
):
    tenant = MyobTenant.seeded(stack, "myob-faults")
    company_file = myob.add_file("Faulted Plumbing")
    integration_id = tenant.connect(company_file)
    refusals_before = myob.rate_limit_refusals()
    try:
        for fault, _reason in FAULTS.values():
            myob.add_fault(headers=RETRY_SOON, **fault)
        tenant.configure(integration_id)
        activation = tenant.finished_run(integration_id)

        assert myob.faults() == [], "every fault was met"
        deferrals = _deferrals(stack, activation["id"])
        # A delivery here also stops when it has used its few seconds, fault or not.
        expected = Counter(reason for _fault, reason in FAULTS.values() if reason != TIME_USED)
        assert Counter(d for d in deferrals if d != TIME_USED) == expected
        # The late answer cut its delivery short; whether the worker said so as "used its
        # time" or stopped first for a refusal depends on the machine's pace, so only that
        # it was met (above) and that nothing was made twice (below) are asserted.
        assert activation["status"] == "SUCCEEDED", activation["errors"]
        _assert_level(tenant, company_file)

        _assert_quiet(tenant.sync_now(integration_id))
        _assert_level(tenant, company_file)
        # Continuing after a refusal did not run into MYOB's real limit either.
        assert myob.rate_limit_refusals() == refusals_before
    finally:
        tenant.disconnect(integration_id)
