"""QuickBooks Online end to end on the local stack, over real HTTP only: the service's API,
the QuickBooks emulator's consent page and controls, and the Loc8 emulator.

The scenario a Loc8 admin lives through (connect, configure, activation, both sides
level, payments both ways, reconnect without duplicates), then the faults a sync must
survive with exactly one QuickBooks record per Loc8 record afterwards: a write QuickBooks
did whose reply was lost, a 500, a 429, and a job cut off at its time budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from localdev.stack import Ports
from tests.support.local_stack import admin
from tests.support.quickbooks_stack import (
    DELIVERY_BUDGET_SECONDS,
    TIMEOUT,
    Loc8Tenant,
    QuickBooksCompany,
    QuickBooksEmulator,
    ShortDeliveryStack,
    loc8_payments,
    money,
    quickbooks_payments,
    sent_invoices,
)

pytestmark = pytest.mark.e2e

# Retry-After on the injected failures: Intuit names none, and the service would then
# wait its default minute before the continuation; a second keeps the test short.
RETRY_SOON = {"Retry-After": "1"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShortDeliveryStack]:
    """This module's own stack: its worker's deliveries are cut off after a few seconds."""
    running = ShortDeliveryStack(
        Ports.free(), log_dir=tmp_path_factory.mktemp("qbo-logs"), schedule_seconds=3600
    )
    with running:
        yield running


@pytest.fixture(scope="module")
def qbo(stack: ShortDeliveryStack) -> QuickBooksEmulator:
    return QuickBooksEmulator.of(stack)


@pytest.fixture(autouse=True)
def no_faults_left(qbo: QuickBooksEmulator) -> Iterator[None]:
    yield
    requests.delete(f"{qbo.url}/_emulator/faults", timeout=TIMEOUT)


def _deferrals(stack: ShortDeliveryStack, run_id: str) -> list[str]:
    """Why the worker stopped a delivery of this run early, as its log says."""
    lines = stack.log_path("pump").read_text(errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return [
        e["reason"]
        for e in entries
        if e.get("message") == "run deferred" and e.get("run_id") == run_id
    ]


def _assert_level(tenant: Loc8Tenant, company: QuickBooksCompany) -> dict[str, Any]:
    """Exactly one QuickBooks record per Loc8 record, with the same totals and payments."""
    loc8 = tenant.snapshot()
    copies = company.copies()
    for entity, counted in copies.items():
        assert {name: n for name, n in counted.items() if n > 1} == {}, entity
    assert set(copies["Customer"]) == {c["name"] for c in loc8["customers"]}
    assert {i["DocNumber"]: money(i["TotalAmt"]) for i in company.records("Invoice")} == (
        sent_invoices(loc8)
    )
    in_loc8 = sorted(
        (i["number"], money(p["amount"])) for i in loc8["invoices"] for p in i["payments"]
    )
    assert quickbooks_payments(company) == in_loc8
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


def _reconnect(tenant: Loc8Tenant, company: QuickBooksCompany, integration_id: str) -> str:
    """Disconnect, add QuickBooks again, consent to the same company and save the config
    the page shows from the previous connection; returns the new integration's id."""
    last_saved = tenant.api("GET", f"/v1/integrations/{integration_id}/config").json()
    tenant.disconnect(integration_id)
    again = tenant.connect(company)
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


def _assert_quiet(run: dict[str, Any]) -> None:
    assert run["status"] == "SUCCEEDED", (run["errors"], run["counts_by_direction"])
    for domain, directions in run["counts_by_direction"].items():
        for direction, counts in directions.items():
            assert counts["created"] == counts["updated"] == 0, (domain, direction, counts)


def test_the_catalogue_offers_quickbooks_with_approved_invoices_only(stack: ShortDeliveryStack):
    apps = requests.get(f"{stack.api_url}/v1/apps", headers=admin(), timeout=TIMEOUT).json()["apps"]
    [quickbooks] = [app for app in apps if app["key"] == "quickbooks"]
    assert quickbooks["available"] is True
    assert quickbooks["invoice_statuses"] == ["AUTHORISED"]  # QuickBooks has no drafts


def test_connect_configure_sync_payments_both_ways_and_reconnect_without_duplicates(
    stack: ShortDeliveryStack, qbo: QuickBooksEmulator
):
    tenant = Loc8Tenant.seeded(stack, "qbo-scenario")
    company = qbo.demo_company()
    in_quickbooks_before = {c["DisplayName"] for c in company.records("Customer")}
    first = tenant.connect(company)
    second = None
    try:
        tenant.configure(first)
        activation = tenant.finished_run(first)
        assert activation["trigger"] == "activation"
        # The only record QuickBooks may refuse is Loc8's CALLOUT: the demo company's
        # "Call-out fee" (no SKU) already holds its name, and item names are unique.
        assert {(e["domain"], e["record"]) for e in activation["errors"]} <= {
            ("line_items", "CALLOUT")
        }
        failed = sum(c["failed"] for c in activation["counts"].values())
        assert activation["status"] == ("PARTIAL" if failed else "SUCCEEDED")

        # Both sides level: QuickBooks' own customers came to Loc8, Loc8's went over once,
        # every issued or paid invoice is there with Loc8's number and total, and every
        # payment taken in Loc8 is applied to it.
        loc8 = _assert_level(tenant, company)
        assert in_quickbooks_before < {c["name"] for c in loc8["customers"]}
        items = {i["Name"] for i in company.records("Item")}
        assert {i["name"] for i in loc8["line_items"]} <= items
        assert loc8_payments(loc8, "loc8")

        # A payment made in QuickBooks, and one taken on site in Loc8, on two open invoices.
        open_in_qbo = sorted(
            (i for i in company.records("Invoice") if money(i["Balance"]) > 0),
            key=lambda i: i["DocNumber"],
        )
        paid_in_qbo = open_in_qbo[0]
        [paid_in_loc8] = [i for i in loc8["invoices"] if i["number"] == open_in_qbo[1]["DocNumber"]]
        company.pay(paid_in_qbo)
        tenant.record_payment(paid_in_loc8, f"rcpt-qbo-{first}")

        both_ways = tenant.sync_now(first)

        payments = both_ways["counts_by_direction"]["payments"]
        assert (payments["to_loc8"]["created"], payments["to_app"]["created"]) == (1, 1)
        loc8 = _assert_level(tenant, company)
        [reached_loc8] = [i for i in loc8["invoices"] if i["number"] == paid_in_qbo["DocNumber"]]
        assert reached_loc8["status"] == "paid"
        assert [(p["app"], money(p["amount"])) for p in reached_loc8["payments"]] == [
            ("quickbooks", money(paid_in_qbo["Balance"]))
        ]
        [reached_qbo] = [
            i for i in company.records("Invoice") if i["DocNumber"] == paid_in_loc8["number"]
        ]
        assert money(reached_qbo["Balance"]) == Decimal("0.00")

        # Reconnect: disconnect, add again and consent to the same company.
        counts = company.counts()
        loc8_counts = _loc8_counts(loc8)
        second = _reconnect(tenant, company, first)
        assert qbo.consents(company.realm_id) == [False, True]  # revoked on disconnect
        again = tenant.finished_run(second)
        assert again["trigger"] == "activation"

        assert company.counts() == counts
        loc8 = _assert_level(tenant, company)
        assert _loc8_counts(loc8) == loc8_counts
        # Nothing is reported made either; except that the payment made in QuickBooks is
        # counted again on its way to Loc8 (test_a_reconnect_reports_no_payment_made).
        made = _made(again)
        assert made.pop(("payments", "to_loc8")) <= 1
        assert made == dict.fromkeys(made, 0)
    finally:
        for integration_id in (first, second):
            if integration_id:
                tenant.disconnect(integration_id)


def test_an_invoice_paid_in_full_in_loc8_shows_paid_after_the_sync_that_sends_it(
    stack: ShortDeliveryStack, qbo: QuickBooksEmulator
):
    tenant = Loc8Tenant.seeded(stack, "qbo-paid-in-loc8")
    company = qbo.add_company("Paid On Site Pty Ltd")
    integration_id = tenant.connect(company)
    try:
        tenant.configure(integration_id)
        assert tenant.finished_run(integration_id)["status"] == "SUCCEEDED"
        owing = next(
            i
            for i in tenant.snapshot()["invoices"]
            if i["status"] == "issued" and money(i["amount_due"]) > 0
        )
        tenant.record_payment(owing, f"rcpt-qbo-{integration_id}")

        sent = tenant.sync_now(integration_id)

        assert sent["counts_by_direction"]["payments"]["to_app"]["created"] == 1
        [in_qbo] = [i for i in company.records("Invoice") if i["DocNumber"] == owing["number"]]
        assert money(in_qbo["Balance"]) == Decimal("0.00")
        [in_loc8] = [i for i in tenant.snapshot()["invoices"] if i["id"] == owing["id"]]
        assert in_loc8["status"] == "paid"
        _assert_quiet(tenant.sync_now(integration_id))
    finally:
        tenant.disconnect(integration_id)


def test_a_reconnect_reports_no_payment_made(stack: ShortDeliveryStack, qbo: QuickBooksEmulator):
    tenant = Loc8Tenant.seeded(stack, "qbo-reconnect-counts")
    company = qbo.add_company("Reconnected Pty Ltd")
    first = tenant.connect(company)
    second = None
    try:
        tenant.configure(first)
        assert tenant.finished_run(first)["status"] == "SUCCEEDED"
        company.pay(next(i for i in company.records("Invoice") if money(i["Balance"]) > 0))
        assert _made(tenant.sync_now(first))[("payments", "to_loc8")] == 1
        payments_in_loc8 = _loc8_counts(tenant.snapshot())["payments"]

        second = _reconnect(tenant, company, first)
        again = tenant.finished_run(second)

        assert _loc8_counts(tenant.snapshot())["payments"] == payments_in_loc8
        assert _made(again)[("payments", "to_loc8")] == 0
    finally:
        for integration_id in (first, second):
            if integration_id:
                tenant.disconnect(integration_id)


# Each fault, and what the worker says when it stops the delivery that met it.
FAULTS = {
    "lost_reply_after_commit": (
        {"mode": "commit_then_drop", "headers": RETRY_SOON},
        "QuickBooks Online is unavailable right now (HTTP 504); try again.",
    ),
    "server_error": (
        {"mode": "respond", "status": 500, "headers": RETRY_SOON},
        "QuickBooks Online is unavailable right now (HTTP 500); try again.",
    ),
    "throttled": (
        {"mode": "respond", "status": 429, "headers": RETRY_SOON},
        "QuickBooks Online's batch rate limit was reached.",
    ),
}


@pytest.mark.parametrize(("fault", "stopped_because"), FAULTS.values(), ids=FAULTS.keys())
def test_a_failed_write_leaves_exactly_one_record_per_record(
    stack: ShortDeliveryStack,
    qbo: QuickBooksEmulator,
    fault: dict[str, Any],
    stopped_because: str,
    request: pytest.FixtureRequest,
):
    name = request.node.callspec.id
    tenant = Loc8Tenant.seeded(stack, f"qbo-{name.replace('_', '-')}")
    company = qbo.add_company(f"Faulted {name} Pty Ltd")
    integration_id = tenant.connect(company)
    try:
        qbo.fault_on_a_write(lambda: tenant.configure(integration_id), **fault)
        activation = tenant.finished_run(integration_id)

        assert qbo.faults() == [], "a write took the fault"
        assert _deferrals(stack, activation["id"]) == [stopped_because]
        assert activation["status"] == "SUCCEEDED", activation["errors"]
        _assert_level(tenant, company)

        _assert_quiet(tenant.sync_now(integration_id))
        _assert_level(tenant, company)
    finally:
        tenant.disconnect(integration_id)


def test_a_job_cut_off_at_its_time_budget_continues_without_duplicates(
    stack: ShortDeliveryStack, qbo: QuickBooksEmulator
):
    tenant = Loc8Tenant.seeded(stack, "qbo-cut-off")
    company = qbo.add_company("Cut Off Pty Ltd")
    integration_id = tenant.connect(company)
    try:
        # QuickBooks answers the first write late, past the delivery's budget.
        late_ms = int((DELIVERY_BUDGET_SECONDS + 0.5) * 1000)
        qbo.fault_on_a_write(
            lambda: tenant.configure(integration_id), mode="delay", latency_ms=late_ms
        )
        activation = tenant.finished_run(integration_id)

        assert _deferrals(stack, activation["id"]) == [
            "The run used its time; it continues in a new invocation."
        ]
        assert activation["status"] == "SUCCEEDED", activation["errors"]
        _assert_level(tenant, company)
        _assert_quiet(tenant.sync_now(integration_id))
    finally:
        tenant.disconnect(integration_id)
