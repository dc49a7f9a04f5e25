"""A reconnect remembers: adding Xero again and granting the same organisation shows the
config it had there, unsaved until the admin saves; saving moves no Xero item that was
not remapped and duplicates nothing. Another organisation, or another Loc8 business
granting the same organisation, starts clean. Real adapters, both emulators, moto."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chalicelib.bootstrap import Container
from localdev.xero import DEMO_TENANT_ID
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated, allow_and_finish
from tests.support.fakes import DelayRecordingQueue
from tests.support.jobs import drain_queue
from tests.support.sync_runs import run_to_completion

# The line items a bookkeeper codes to Other Revenue (260) instead of Sales (200).
REMAPPED = (
    "LAB-STD",
    "LAB-AH",
    "LAB-APP",
    "CALLOUT",
    "CALLOUT-AH",
    "MAT-PVC100",
    "MAT-CU15",
    "MAT-CARTRIDGE",
    "MAT-HWS250",
)
SYNC = {"tax_rates": True, "customers": True, "line_items": True}


@pytest.fixture
def job_container(emulated: Emulated) -> Container:
    return emulated.container


@pytest.fixture(autouse=True)
def _jobs_run_at_once(queue_delays: DelayRecordingQueue) -> None:
    """Delays asked of SQS are recorded, not waited for."""


def json_headers(tenant: str = TENANT, **extra: str) -> dict[str, str]:
    return {**bearer(tenant), "Content-Type": "application/json", **extra}


def connect(emulated: Emulated, organisation_id: str = DEMO_TENANT_ID, tenant: str = TENANT) -> str:
    added = emulated.client.http.post(
        "/v1/integrations", headers=json_headers(tenant), body=json.dumps({"app": "xero"})
    ).json_body
    finished = allow_and_finish(
        emulated.client,
        emulated.xero,
        added["authorize_url"],
        tenant,
        tenant_ids=[organisation_id],
    )
    assert finished.json_body["status"] == "AUTHORISED", finished.body
    return added["id"]


def disconnect(emulated: Emulated, integration_id: str, tenant: str = TENANT) -> None:
    gone = emulated.client.http.delete(f"/v1/integrations/{integration_id}", headers=bearer(tenant))
    assert gone.status_code == 204, gone.body


def get_config(emulated: Emulated, integration_id: str, tenant: str = TENANT):
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}/config", headers=bearer(tenant)
    )


def put_config(emulated: Emulated, integration_id: str, body: dict, **headers: str):
    return emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers=json_headers(**headers),
        body=json.dumps(body),
    )


def line_items(emulated: Emulated, integration_id: str, tenant: str = TENANT) -> dict[str, dict]:
    listed = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/line-items", headers=bearer(tenant)
    ).json_body
    return {item["code"]: item for item in listed["line_items"]}


def status(emulated: Emulated, integration_id: str) -> str:
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}", headers=bearer(TENANT)
    ).json_body["status"]


def run_queued(emulated: Emulated) -> None:
    run_to_completion(emulated, drain_queue())


def xero_item_accounts(emulated: Emulated) -> dict[str, str | None]:
    state = emulated.xero.accounting_state(DEMO_TENANT_ID)
    return {i["Code"]: (i.get("SalesDetails") or {}).get("AccountCode") for i in state["Items"]}


def record_counts(emulated: Emulated) -> dict[str, Counter]:
    """How many times each record's name or code is in either app: a duplicate shows."""
    xero = emulated.xero.accounting_state(DEMO_TENANT_ID)
    loc8 = emulated.loc8.snapshot(TENANT)
    return {
        "xero items": Counter(i["Code"] for i in xero["Items"]),
        "xero contacts": Counter(c["Name"] for c in xero["Contacts"]),
        "loc8 line items": Counter(i["code"] for i in loc8["line_items"]),
        "loc8 customers": Counter(c["name"] for c in loc8["customers"]),
    }


def first_connection(emulated: Emulated) -> tuple[str, dict]:
    """Connect, map nine line items to 260, activate and sync, then disconnect."""
    integration_id = connect(emulated)
    ids = {code: item["id"] for code, item in line_items(emulated, integration_id).items()}
    config = {
        "sync": SYNC,
        "invoice_status": "DRAFT",
        "default_account_code": "200",
        "line_item_accounts": {ids[code]: "260" for code in REMAPPED},
    }
    assert put_config(emulated, integration_id, config).status_code == 200
    run_queued(emulated)
    assert {code: xero_item_accounts(emulated)[code] for code in REMAPPED} == dict.fromkeys(
        REMAPPED, "260"
    )
    disconnect(emulated, integration_id)
    return integration_id, config


def test_the_same_organisation_comes_back_with_its_config_unsaved(emulated):
    first, saved = first_connection(emulated)
    last_saved = get_config(emulated, first).json_body  # as saved, with every default

    again = connect(emulated)

    shown = get_config(emulated, again)
    assert shown.status_code == 200, shown.body
    assert shown.json_body == {**last_saved, "source": "previous_connection"}
    assert shown.json_body["line_item_accounts"] == saved["line_item_accounts"]
    assert shown.headers["ETag"] == '"0"'
    assert status(emulated, again) == "AUTHORISED"  # nothing saved until the admin saves
    mapped = {code: item["account_code"] for code, item in line_items(emulated, again).items()}
    assert {code: mapped[code] for code in REMAPPED} == dict.fromkeys(REMAPPED, "260")


def test_saving_the_remembered_config_changes_no_item_and_duplicates_nothing(emulated):
    first_connection(emulated)
    accounts_before, records_before = xero_item_accounts(emulated), record_counts(emulated)
    again = connect(emulated)
    shown = get_config(emulated, again)

    # The page sends back what it was shown, with the ETag it was given.
    saved = put_config(emulated, again, shown.json_body, **{"If-Match": shown.headers["ETag"]})
    assert saved.status_code == 200, saved.body
    assert saved.json_body["status"] == "ACTIVE"
    assert get_config(emulated, again).json_body["source"] == "saved"
    run_queued(emulated)

    assert xero_item_accounts(emulated) == accounts_before
    assert record_counts(emulated) == records_before
    assert all(n == 1 for counts in record_counts(emulated).values() for n in counts.values())


def test_saving_just_a_default_after_a_reconnect_moves_no_xero_item(emulated):
    first_connection(emulated)
    accounts_before = xero_item_accounts(emulated)
    again = connect(emulated)

    just_a_default = {
        "sync": SYNC,
        "invoice_status": "DRAFT",
        "default_account_code": "200",
        "line_item_accounts": {},
    }
    assert put_config(emulated, again, just_a_default).status_code == 200
    run_queued(emulated)

    assert xero_item_accounts(emulated) == accounts_before


def test_choosing_the_same_organisation_among_several_brings_the_config_back(emulated):
    first_connection(emulated)
    other = emulated.xero.add_organisation("Second Business Pty Ltd").tenant_id
    added = emulated.client.http.post(
        "/v1/integrations", headers=json_headers(), body=json.dumps({"app": "xero"})
    ).json_body
    finished = allow_and_finish(
        emulated.client,
        emulated.xero,
        added["authorize_url"],
        TENANT,
        tenant_ids=[DEMO_TENANT_ID, other],
    )
    assert finished.json_body["status"] == "CHOOSE_ORGANISATION"
    assert get_config(emulated, added["id"]).status_code == 404  # none bound yet

    chosen = emulated.client.http.put(
        f"/v1/integrations/{added['id']}/organisation",
        headers=json_headers(),
        body=json.dumps({"organisation_id": DEMO_TENANT_ID}),
    )

    assert chosen.json_body["status"] == "AUTHORISED", chosen.body
    assert get_config(emulated, added["id"]).json_body["source"] == "previous_connection"


def test_another_organisation_starts_clean(emulated):
    first_connection(emulated)
    other = emulated.xero.add_organisation("Second Business Pty Ltd").tenant_id

    again = connect(emulated, organisation_id=other)

    assert get_config(emulated, again).status_code == 404
    listed = line_items(emulated, again)
    assert listed, "Loc8's line items are listed"
    assert all(item["account_code"] is None for item in listed.values())


def test_another_loc8_business_granting_the_same_organisation_sees_nothing(emulated):
    first_connection(emulated)
    emulated.loc8.seed_demo("other-business")

    theirs = connect(emulated, tenant="other-business")

    assert get_config(emulated, theirs, tenant="other-business").status_code == 404
    listed = line_items(emulated, theirs, tenant="other-business")
    assert listed, "Loc8's line items are listed"
    assert all(item["account_code"] is None for item in listed.values())
    assert {item["suggestion_source"] for item in listed.values()} != {"default"}


def test_the_mapping_list_starts_from_what_exists_and_says_where_from(emulated):
    integration_id = connect(emulated)

    listed = line_items(emulated, integration_id)

    def suggestion(code: str) -> tuple[str | None, str | None]:
        return listed[code]["suggested_account_code"], listed[code]["suggestion_source"]

    # Xero already has a CALLOUT item, on Sales.
    assert suggestion("CALLOUT") == ("200", "app_item")
    # Loc8 codes the backflow fee to 260, an active revenue account in Xero.
    assert suggestion("FEE-BACKFLOW") == ("260", "loc8_line_item")
    # Loc8's 210 is archived in Xero, and no default is known yet.
    assert suggestion("MAT-RCD") == (None, None)
    assert all(item["account_code"] is None for item in listed.values())

    config = {
        "sync": SYNC,
        "invoice_status": "DRAFT",
        "default_account_code": "260",
        "line_item_accounts": {},
    }
    assert put_config(emulated, integration_id, config).status_code == 200
    listed = line_items(emulated, integration_id)
    assert suggestion("MAT-RCD") == ("260", "default")
    assert listed["MAT-RCD"]["account_code"] is None  # still unmapped: null


@pytest.mark.parametrize("if_match", ['"1"', '"7"'])
def test_a_remembered_config_is_version_0_and_a_later_etag_is_stale(emulated, if_match):
    first_connection(emulated)
    again = connect(emulated)
    shown = get_config(emulated, again).json_body

    refused = put_config(emulated, again, shown, **{"If-Match": if_match})

    assert refused.status_code == 412
    assert status(emulated, again) == "AUTHORISED"
