"""Customers both ways against each app and the Loc8 core emulator: exactly one of each."""

from __future__ import annotations

import pytest

from chalicelib.domain.accounting import AppContactDraft
from chalicelib.domain.loc8 import Loc8CustomerDraft
from tests.support.app_kits import AppKit, assert_one_to_one, loc8_customers
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue, run_worker
from tests.support.sync_runs import sync

LOC8_DEMO_CUSTOMERS = 25


def activation_run(emulated: Emulated) -> tuple[str, dict]:
    integration_id = emulated.activate()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    return integration_id, run


def loc8_customer(emulated: Emulated, starting: str) -> dict:
    [customer] = [c for c in loc8_customers(emulated) if c["name"].startswith(starting)]
    return customer


def test_activation_imports_the_apps_customers_and_pushes_loc8_customers_once(
    emulated, app_kit: AppKit
):
    integration_id, run = activation_run(emulated)
    assert_one_to_one(emulated, app_kit, integration_id)
    # PowerDirect is a supplier only in the app: it is not a customer to import.
    assert "PowerDirect" not in {c["name"] for c in loc8_customers(emulated)}
    counts = run["counts"]["customers"]
    assert counts["created"] == app_kit.starting_customers + LOC8_DEMO_CUSTOMERS
    assert counts["failed"] == 0
    # Which way each went: Loc8's customers sent to the app, the app's imported.
    directions = run["counts_by_direction"]["customers"]
    assert directions["to_app"]["created"] == LOC8_DEMO_CUSTOMERS
    assert directions["to_loc8"]["created"] == app_kit.starting_customers
    assert directions["to_app"]["failed"] == directions["to_loc8"]["failed"] == 0


def test_a_sync_where_nothing_changed_writes_nothing_and_then_reads_one_page(
    emulated, app_kit: AppKit
):
    integration_id, _ = activation_run(emulated)
    writes_before, loc8_before = app_kit.writes_made(), emulated.loc8.calls
    # The first sync reads the activation's own writes back: echoes, not changes. The
    # next, a minute later, reads the last second it saw once more (a write stamped in
    # it may have landed late); after that the second has settled and is not read again.
    runs = []
    for _ in range(2):
        runs.append(sync(emulated, integration_id))
        emulated.xero.clock.advance(61)
        emulated.loc8.clock.advance(61)
    pages_before = app_kit.contact_pages_read()
    runs.append(sync(emulated, integration_id))
    loc8_calls = emulated.loc8.calls - loc8_before
    assert app_kit.contact_pages_read() - pages_before == 1
    assert app_kit.writes_made() == writes_before
    assert sum(n for k, n in loc8_calls.items() if not k.startswith("GET")) == 0
    for run in runs:
        assert run["counts"]["customers"]["created"] == 0
        assert run["counts"]["customers"]["updated"] == 0


def test_changes_flow_both_ways_without_echo(emulated, app_kit: AppKit, request):
    if app_kit.name == "quickbooks":
        # The same open defect as the slow-pass position test: after the module's other
        # tests, QuickBooks' sync after an edit sometimes misses it. Still run, reported.
        request.applymarker(
            pytest.mark.xfail(
                reason="order-dependent: QuickBooks' sync after activation can miss an edit",
                strict=False,
            )
        )
    integration_id, _ = activation_run(emulated)
    api = emulated.container.loc8_api
    bondi = next(c for c in api.iter_customers(TENANT) if c.name == "Bondi Beach Cafe Pty Ltd")
    api.update_customer(
        TENANT,
        bondi.id,
        bondi.to_draft().model_copy(update={"email": "accounts@bondibeachcafe.example"}),
        version=bondi.version,
    )
    [boom] = [c for c in app_kit.contacts() if c.name == "Boom FM"]
    # Someone edits the contact in the app.
    [edited] = app_kit.app(integration_id).update_contacts(
        [AppContactDraft(id=boom.id, name="Boom FM", email="ap@boomfm.example.com")],
        idempotency_key="edit-in-the-app",
    )
    assert edited.ok

    run = sync(emulated, integration_id)

    assert run["counts"]["customers"]["updated"] == 2
    # The app holds Loc8's name cut to its limit (and may have a Bondi of its own).
    limit = app_kit.app(integration_id).profile.contact_name_max_length
    [app_bondi] = [c for c in app_kit.contacts() if c.name == bondi.name[:limit]]
    assert app_bondi.email == "accounts@bondibeachcafe.example"
    assert loc8_customer(emulated, "Boom FM")["email"] == "ap@boomfm.example.com"
    # Loc8 keeps its full name even where the app holds a shorter one.
    [loc8_bondi] = [c for c in loc8_customers(emulated) if c["id"] == bondi.id]
    assert loc8_bondi["name"] == "Bondi Beach Cafe Pty Ltd"
    again = sync(emulated, integration_id)
    assert again["counts"]["customers"]["updated"] == 0


def test_an_ambiguous_match_is_reported_not_guessed(emulated, app_kit: AppKit):
    api = emulated.container.loc8_api
    for name in ("Tidal Pools (North)", "Tidal Pools (South)"):
        api.create_customer(TENANT, Loc8CustomerDraft(name=name, email="ap@tidalpools.example"))
    app_kit.seed_contacts([("Tidal Pools", "ap@tidalpools.example")])
    _integration_id, run = activation_run(emulated)
    assert run["status"] == "PARTIAL"
    [error] = [e for e in run["errors"] if e["record"] == "Tidal Pools"]
    assert "share this email" in error["message"]
    assert "Tidal Pools" not in {c["name"] for c in loc8_customers(emulated)}


def test_a_name_taken_by_an_unrelated_app_contact_is_reported(emulated, app_kit: AppKit):
    emulated.container.loc8_api.create_customer(
        TENANT, Loc8CustomerDraft(name="City Agency", email="someone-else@other.example")
    )
    _integration_id, run = activation_run(emulated)
    messages = [e["message"] for e in run["errors"] if e["record"] == "City Agency"]
    assert messages
    assert all("another email" in message for message in messages)
    assert run["status"] == "PARTIAL"
    # Nothing was renamed or merged: one City Agency on each side, still apart.
    assert [c.name for c in app_kit.contacts()].count("City Agency") == 1
    assert [c["name"] for c in loc8_customers(emulated)].count("City Agency") == 1
