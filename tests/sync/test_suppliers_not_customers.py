"""Suppliers are not customers: a contact the app marks as a supplier only is not
imported into Loc8, and the run says nothing about it; one already synced stays in step."""

from __future__ import annotations

from chalicelib.domain.accounting import AppContactDraft
from tests.support.app_kits import AppKit, loc8_customers
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue, run_worker
from tests.support.sync_runs import sync


def activate(emulated: Emulated) -> tuple[str, dict]:
    integration_id = emulated.activate({"customers": True})
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}",
        headers=bearer(TENANT),
    ).json_body
    return integration_id, run


def test_a_supplier_only_is_not_imported_and_the_run_says_nothing_of_it(emulated, app_kit: AppKit):
    app_kit.seed_contacts(
        [
            ("Metro Hire", "accounts@metrohire.example"),  # sends bills only
            ("Harbour Plumbing", "office@harbourplumbing.example"),  # buys and sells
            ("Fresh Start Cafe", "hello@freshstart.example"),  # nothing entered yet
        ]
    )
    app_kit.add_bill("Metro Hire")
    app_kit.add_bill("Harbour Plumbing")
    app_kit.add_sale("Harbour Plumbing")
    suppliers_only = {c.name for c in app_kit.contacts() if c.is_supplier and not c.is_customer}
    assert "Metro Hire" in suppliers_only
    assert "Harbour Plumbing" not in suppliers_only

    _integration_id, run = activate(emulated)

    in_loc8 = {c["name"] for c in loc8_customers(emulated)}
    assert not suppliers_only & in_loc8
    assert {"Harbour Plumbing", "Fresh Start Cafe"} <= in_loc8
    assert run["status"] == "SUCCEEDED"
    assert not [e for e in run["errors"] if e["record"] in suppliers_only]
    imported = run["counts_by_direction"]["customers"]["to_loc8"]
    assert imported["created"] == app_kit.starting_customers + 2
    assert imported["failed"] == 0


def test_a_synced_customer_that_becomes_a_supplier_only_stays_in_step(emulated, app_kit: AppKit):
    # City Agency has no transactions yet: neither a customer nor a supplier, it is
    # imported as a customer, as it always was.
    integration_id, _run = activate(emulated)
    assert "City Agency" in {c["name"] for c in loc8_customers(emulated)}
    # Then a bill from it is entered, and its email changes, in the app.
    app_kit.add_bill("City Agency")
    [agency] = [c for c in app_kit.contacts() if c.name == "City Agency"]
    assert agency.is_supplier
    assert not agency.is_customer
    [edited] = app_kit.app(integration_id).update_contacts(
        [AppContactDraft(id=agency.id, name="City Agency", email="payables@cityagency.example")],
        idempotency_key="edit-in-the-app",
    )
    assert edited.ok

    run = sync(emulated, integration_id)

    [customer] = [c for c in loc8_customers(emulated) if c["name"] == "City Agency"]
    assert customer["email"] == "payables@cityagency.example"
    assert run["counts_by_direction"]["customers"]["to_loc8"]["updated"] == 1
