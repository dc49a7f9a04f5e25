"""One Xero login behind two Loc8 businesses: disconnecting one never cuts the other.

Xero keeps connections per user and app, and its revocation endpoint removes all of them,
so a bookkeeper who connected two businesses (two organisations, one Xero login) must be
able to disconnect one while the other keeps syncing. Real adapters, both emulators, moto.
"""

from __future__ import annotations

import json

from localdev.xero import DEMO_TENANT_ID
from tests.support.auth import bearer
from tests.support.emulated import Emulated, allow_and_finish
from tests.support.jobs import drain_queue, run_worker

FIRST_BUSINESS = "demo"
SECOND_BUSINESS = "second-business"
TOKEN_ENDPOINT = "POST /connect/token"
REVOCATION_ENDPOINT = "POST /connect/revocation"


def activate(emulated: Emulated, tenant: str, organisation_id: str) -> str:
    """Add Xero for the business, grant only its own organisation, turn syncing on."""
    client = emulated.client
    added = client.http.post(
        "/v1/integrations",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    ).json_body
    allow_and_finish(
        client, emulated.xero, added["authorize_url"], tenant, tenant_ids=[organisation_id]
    )
    saved = client.http.put(
        f"/v1/integrations/{added['id']}/config",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": {"tax_rates": True, "customers": True},
                "invoice_status": "DRAFT",
                "default_account_code": "200",
                "line_item_accounts": {},
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    assert saved.json_body["status"] == "ACTIVE"
    return added["id"]


def sync_now(emulated: Emulated, tenant: str, integration_id: str) -> dict:
    """Press "Sync now", let the worker run the job, and read the run back."""
    client = emulated.client
    queued = client.http.post(f"/v1/integrations/{integration_id}/sync", headers=bearer(tenant))
    assert queued.status_code == 202, queued.body
    run_id = queued.json_body["run_id"]
    jobs = [job for job in drain_queue() if job["run_id"] == run_id]
    assert run_worker(client, jobs) == {"batchItemFailures": []}
    return client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{run_id}", headers=bearer(tenant)
    ).json_body


def status_of(emulated: Emulated, tenant: str, integration_id: str) -> dict:
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}", headers=bearer(tenant)
    ).json_body


def two_businesses_one_xero_login(emulated: Emulated) -> tuple[str, str, str]:
    second_organisation = emulated.xero.add_organisation("Second Business Pty Ltd").tenant_id
    emulated.loc8.seed_demo(SECOND_BUSINESS)
    first = activate(emulated, FIRST_BUSINESS, DEMO_TENANT_ID)
    second = activate(emulated, SECOND_BUSINESS, second_organisation)
    activations = drain_queue()
    assert {job["integration_id"] for job in activations} == {first, second}
    assert run_worker(emulated.client, activations) == {"batchItemFailures": []}
    return first, second, second_organisation


def test_disconnecting_one_business_leaves_the_other_syncing(emulated: Emulated) -> None:
    first, second, second_organisation = two_businesses_one_xero_login(emulated)
    assert sync_now(emulated, SECOND_BUSINESS, second)["status"] == "SUCCEEDED"

    disconnected = emulated.client.http.delete(
        f"/v1/integrations/{first}", headers=bearer(FIRST_BUSINESS)
    )
    assert disconnected.status_code == 204
    assert status_of(emulated, FIRST_BUSINESS, first)["status"] == "DISCONNECTED"

    # The other business's access token expires: it must refresh and sync as before.
    emulated.xero.clock.advance(31 * 60)
    refreshes_before = emulated.xero.calls[TOKEN_ENDPOINT]
    run = sync_now(emulated, SECOND_BUSINESS, second)
    assert run["status"] == "SUCCEEDED", run
    assert emulated.xero.calls[TOKEN_ENDPOINT] - refreshes_before == 1
    assert status_of(emulated, SECOND_BUSINESS, second)["status"] == "ACTIVE"
    # At Xero only the first business's organisation was disconnected.
    assert {c.tenant_id for c in emulated.xero.connections()} == {second_organisation}
    assert emulated.xero.calls[REVOCATION_ENDPOINT] == 0


def test_disconnecting_the_last_business_revokes_the_grant(emulated: Emulated) -> None:
    first, second, _ = two_businesses_one_xero_login(emulated)
    for tenant, integration_id in ((FIRST_BUSINESS, first), (SECOND_BUSINESS, second)):
        assert (
            emulated.client.http.delete(
                f"/v1/integrations/{integration_id}", headers=bearer(tenant)
            ).status_code
            == 204
        )

    assert emulated.xero.connections() == []
    # Nobody relies on the user's grant any more, so the last disconnect revoked it.
    assert emulated.xero.calls[REVOCATION_ENDPOINT] == 1
    revoked = [grant for grant in emulated.xero.grants() if grant.revoked]
    assert len(revoked) == 1


def test_disconnect_completes_when_the_user_already_removed_the_connection_in_xero(
    emulated: Emulated,
) -> None:
    first, second, second_organisation = two_businesses_one_xero_login(emulated)
    assert emulated.xero.disconnect_in_xero(DEMO_TENANT_ID)

    disconnected = emulated.client.http.delete(
        f"/v1/integrations/{first}", headers=bearer(FIRST_BUSINESS)
    )
    assert disconnected.status_code == 204
    assert status_of(emulated, FIRST_BUSINESS, first)["status"] == "DISCONNECTED"
    assert emulated.xero.calls["DELETE /connections/{id}"] == 1  # answered 404
    assert {c.tenant_id for c in emulated.xero.connections()} == {second_organisation}
    assert sync_now(emulated, SECOND_BUSINESS, second)["status"] == "SUCCEEDED"
