"""Customers both ways against the Xero and Loc8 core emulators: exactly one of each."""

from __future__ import annotations

from collections import Counter

from chalicelib.domain.accounting import AppContactDraft
from chalicelib.domain.loc8 import Loc8CustomerDraft
from localdev.xero import DEMO_TENANT_ID
from tests.conftest import bearer
from tests.emulated import TENANT, Emulated
from tests.jobs.conftest import drain_queue, run_worker
from tests.sync.running import sync

CONTACTS = "GET /api.xro/2.0/Contacts"


def xero_contacts(emulated: Emulated) -> list[dict]:
    return [
        contact
        for contact in emulated.xero.accounting_state(DEMO_TENANT_ID)["Contacts"]
        if contact.get("ContactStatus") == "ACTIVE"
    ]


def loc8_customers(emulated: Emulated) -> list[dict]:
    return emulated.loc8.snapshot(TENANT)["customers"]


def assert_one_to_one(emulated: Emulated) -> None:
    customers = [
        c for c in xero_contacts(emulated) if c.get("IsCustomer") or not c.get("IsSupplier")
    ]
    names_in_loc8 = Counter(c["name"] for c in loc8_customers(emulated))
    names_in_xero = Counter(c["Name"] for c in xero_contacts(emulated))
    for contact in customers:
        assert names_in_loc8[contact["Name"]] == 1, contact["Name"]
    for customer in loc8_customers(emulated):
        assert names_in_xero[customer["name"]] == 1, customer["name"]


def test_activation_imports_xero_customers_and_pushes_loc8_customers_once(emulated):
    integration_id = emulated.activate()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    assert_one_to_one(emulated)
    # PowerDirect is a supplier only in Xero: it is not a customer to import.
    assert "PowerDirect" not in {c["name"] for c in loc8_customers(emulated)}
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    counts = run["counts"]["customers"]
    assert counts["created"] == 9 + 25
    assert counts["failed"] == 0


def test_a_sync_where_nothing_changed_reads_each_side_once_and_writes_nothing(emulated):
    integration_id = emulated.activate()
    run_worker(emulated.client, drain_queue())
    before_xero = emulated.xero.calls
    before_loc8 = emulated.loc8.calls
    run = sync(emulated, integration_id)
    xero_calls = emulated.xero.calls - before_xero
    loc8_calls = emulated.loc8.calls - before_loc8
    assert xero_calls[CONTACTS] == 1
    assert sum(n for k, n in xero_calls.items() if not k.startswith("GET")) == 0
    assert sum(n for k, n in loc8_calls.items() if not k.startswith("GET")) == 0
    assert run["counts"]["customers"]["created"] == 0
    assert run["counts"]["customers"]["updated"] == 0


def test_changes_flow_both_ways_without_echo(emulated):
    integration_id = emulated.activate()
    run_worker(emulated.client, drain_queue())
    api = emulated.container.loc8_api
    bondi = next(c for c in api.iter_customers(TENANT) if c.name == "Bondi Beach Cafe Pty Ltd")
    api.update_customer(
        TENANT,
        bondi.id,
        bondi.to_draft().model_copy(update={"email": "accounts@bondibeachcafe.example"}),
        version=bondi.version,
    )
    boom = next(c for c in xero_contacts(emulated) if c["Name"] == "Boom FM")
    # Someone edits the contact in Xero.
    xero = emulated.container.providers.app_for(emulated.container.repo.get(TENANT, integration_id))
    [edited] = xero.update_contacts(
        [AppContactDraft(id=boom["ContactID"], name="Boom FM", email="ap@boomfm.example.com")],
        idempotency_key="edit-in-xero",
    )
    assert edited.ok

    run = sync(emulated, integration_id)

    assert run["counts"]["customers"]["updated"] == 2
    xero_bondi = next(c for c in xero_contacts(emulated) if c["Name"] == "Bondi Beach Cafe Pty Ltd")
    assert xero_bondi["EmailAddress"] == "accounts@bondibeachcafe.example"
    loc8_boom = next(c for c in loc8_customers(emulated) if c["name"] == "Boom FM")
    assert loc8_boom["email"] == "ap@boomfm.example.com"
    again = sync(emulated, integration_id)
    assert again["counts"]["customers"]["updated"] == 0


def test_an_ambiguous_match_is_reported_not_guessed(emulated):
    api = emulated.container.loc8_api
    for name in ("Bayside Club (North)", "Bayside Club (South)"):
        api.create_customer(
            TENANT, Loc8CustomerDraft(name=name, email="accounts@bayside.example.com")
        )
    integration_id = emulated.activate()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    assert run["status"] == "PARTIAL"
    [error] = [e for e in run["errors"] if e["record"] == "Bayside Club"]
    assert "share this email" in error["message"]
    assert "Bayside Club" not in {c["name"] for c in loc8_customers(emulated)}


def test_a_name_taken_by_an_unrelated_xero_contact_is_reported(emulated):
    emulated.container.loc8_api.create_customer(
        TENANT, Loc8CustomerDraft(name="City Agency", email="someone-else@other.example")
    )
    integration_id = emulated.activate()
    [job] = drain_queue()
    run_worker(emulated.client, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    messages = [e["message"] for e in run["errors"] if e["record"] == "City Agency"]
    assert messages
    assert all("another email" in message for message in messages)
    assert run["status"] == "PARTIAL"
    # Nothing was renamed or merged: one City Agency on each side, still apart.
    assert [c["Name"] for c in xero_contacts(emulated)].count("City Agency") == 1
    assert [c["name"] for c in loc8_customers(emulated)].count("City Agency") == 1
