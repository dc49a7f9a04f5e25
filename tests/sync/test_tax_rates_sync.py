"""Loc8's tax types take the app's rates in place, against each app and the Loc8 core
emulator: ids and codes kept, nothing deactivated, the app's other sales rates added,
Loc8-only types reported and left alone, the config's mapping obeyed (by the invoices
sent too), and a quiet run costs Loc8 nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import requests

from chalicelib.domain.loc8 import Loc8TaxTypeDraft
from tests.support.app_kits import AppKit, draft_status
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue
from tests.support.sync_runs import run_to_completion, sync
from tests.support.tax_rates import (
    LOC8_DEMO_CODES,
    add_sales_tax_rate,
    app_sales_rates,
    change_tax_rate,
    loc8_tax_types,
)

TAX_RATES = {"tax_rates": True}
LOC8_RATE = re.compile(r"\d{1,3}\.\d{2,4}")  # as Loc8 writes rates: "10.00"


def activate(
    emulated: Emulated,
    app_kit: AppKit,
    *,
    sync_domains: dict | None = None,
    mapping: dict | None = None,
) -> tuple[str, dict]:
    integration_id = emulated.connect()
    saved = emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": sync_domains or TAX_RATES,
                "invoice_status": draft_status(app_kit, integration_id),
                "default_account_code": app_kit.accounts["200"],
                "line_item_accounts": {},
                "tax_rate_mappings": {**app_kit.tax_rate_mappings, **(mapping or {})},
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    return integration_id, run


def matches(emulated: Emulated, integration_id: str) -> dict[str, dict]:
    """GET .../tax-types: each Loc8 tax type with the app rate it stands for."""
    answer = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/tax-types", headers=bearer(TENANT)
    )
    assert answer.status_code == 200, answer.body
    return {t["code"]: t for t in answer.json_body["tax_types"]}


def to_loc8(run: dict) -> dict[str, int]:
    return run["counts_by_direction"]["tax_rates"]["to_loc8"]


def reported(run: dict) -> dict[str, str]:
    return {e["record"]: e["message"] for e in run["errors"] if e["domain"] == "tax_rates"}


def test_loc8_keeps_its_tax_types_and_takes_the_apps_rates_in_place(emulated, app_kit: AppKit):
    before = loc8_tax_types(emulated)

    integration_id, run = activate(emulated, app_kit)

    after = loc8_tax_types(emulated)
    rates = app_sales_rates(app_kit, integration_id)
    matched = matches(emulated, integration_id)
    assert run["status"] == "SUCCEEDED", run["errors"]
    # Loc8's own three are still there: same ids, still active.
    for code in LOC8_DEMO_CODES:
        assert (after[code]["id"], after[code]["active"]) == (before[code]["id"], True)
    assert matched["GST"]["tax_rate_code"] == app_kit.gst_code
    # Nothing is deactivated, and each type stands for an app sales rate, at its rate.
    assert all(t["active"] for t in after.values())
    for code, tax_type in after.items():
        rate = rates[matched[code]["tax_rate_code"]]
        assert Decimal(tax_type["rate"]) == rate.rate, code
        assert LOC8_RATE.fullmatch(tax_type["rate"]), tax_type["rate"]
    # Every app sales rate is in Loc8, once with its own name ("GST on Income" once).
    names = [t["name"] for t in after.values()]
    assert sorted(names) == sorted(set(names))
    assert {r.code for r in rates.values()} == {t["tax_rate_code"] for t in matched.values()}
    added = set(after) - set(before)
    assert to_loc8(run)["created"] == len(added)
    assert to_loc8(run)["failed"] == 0


def test_line_items_and_invoices_keep_valid_tax_types(emulated, app_kit: AppKit):
    integration_id, run = activate(
        emulated, app_kit, sync_domains={"tax_rates": True, "line_items": True}
    )

    snapshot = emulated.loc8.snapshot(TENANT)
    active = {t["code"] for t in snapshot["tax_types"] if t["active"]}
    assert run["counts_by_direction"]["line_items"]["to_loc8"]["failed"] == 0, run["errors"]
    assert {i["tax_type_code"] for i in snapshot["line_items"]} <= active
    lines = [line for invoice in snapshot["invoices"] for line in invoice["lines"]]
    assert {line["tax_type_code"] for line in lines} <= active
    # The app's own item came into Loc8 with the Loc8 type that stands for its rate.
    own = next(i for i in snapshot["line_items"] if i["code"] == app_kit.own_item_code)
    assert own["tax_type_code"] == "GST"
    # A second run finds both catalogues in step: no line item moves to another type.
    again = sync(emulated, integration_id)
    assert again["counts_by_direction"]["line_items"]["to_loc8"]["updated"] == 0
    assert loc8_tax_types(emulated) == {t["code"]: t for t in snapshot["tax_types"]}


def test_an_issued_invoice_can_still_be_edited_in_loc8_after_activation(emulated, app_kit: AppKit):
    activate(emulated, app_kit)
    invoice = next(
        i
        for i in emulated.loc8.snapshot(TENANT)["invoices"]
        if i["status"] == "issued"
        and {"GST", "GST_FREE"} <= {x["tax_type_code"] for x in i["lines"]}
    )
    keys = ("line_item_id", "description", "quantity", "unit_price", "tax_type_code")
    edit = {
        "customer_id": invoice["customer_id"],
        "reference": f"{invoice['reference']} (revised)",
        "issue_date": invoice["issue_date"],
        "due_date": invoice["due_date"],
        "status": "issued",
        "lines": [{k: line[k] for k in keys} for line in invoice["lines"]],
    }

    # As a Loc8 user would, through the emulator's own controls.
    edited = requests.put(
        f"{emulated.container.settings.loc8_api_url}/_emulator/tenants/{TENANT}"
        f"/invoices/{invoice['id']}",
        json=edit,
        timeout=5,
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["reference"].endswith("(revised)")


def test_a_quiet_run_costs_no_loc8_tax_call(emulated, app_kit: AppKit):
    integration_id, first = activate(emulated, app_kit)
    in_loc8 = len(loc8_tax_types(emulated))
    calls_before = emulated.loc8.calls

    quiet = sync(emulated, integration_id)

    tax_calls = {k: n for k, n in (emulated.loc8.calls - calls_before).items() if "tax-types" in k}
    assert tax_calls == {}
    assert to_loc8(quiet) == {"created": 0, "updated": 0, "unchanged": in_loc8, "failed": 0}
    # The activation took each app rate in place (updated where the app's differs).
    first_counts = to_loc8(first)
    assert first_counts["unchanged"] + first_counts["created"] + first_counts["updated"] == in_loc8


def test_an_app_rate_is_added_then_changed_in_place(emulated, app_kit: AppKit):
    integration_id, _ = activate(emulated, app_kit)
    code = add_sales_tax_rate(app_kit, "Export levy", "7.5")

    added_run = sync(emulated, integration_id)

    [added] = [t for t in loc8_tax_types(emulated).values() if t["name"] == "Export levy"]
    assert (added["code"], added["rate"], added["active"]) == (code, "7.50", True)
    assert to_loc8(added_run)["created"] == 1

    change_tax_rate(app_kit, code, "8")
    changed_run = sync(emulated, integration_id)

    changed = loc8_tax_types(emulated)[code]
    assert (changed["id"], changed["rate"], changed["version"]) == (added["id"], "8.00", 2)
    assert to_loc8(changed_run)["updated"] == 1
    assert to_loc8(changed_run)["created"] == 0


def test_a_loc8_only_type_is_reported_and_left_as_it_is(emulated, app_kit: AppKit):
    emulated.container.loc8_api.create_tax_type(
        TENANT, Loc8TaxTypeDraft(code="LCT", name="Luxury car levy", rate=Decimal("33"))
    )
    before = loc8_tax_types(emulated)["LCT"]

    integration_id, run = activate(emulated, app_kit)

    assert loc8_tax_types(emulated)["LCT"] == before
    assert "Luxury car levy (33.00%) was left as it is" in reported(run)["LCT"]
    # A note, not a failure.
    assert run["status"] == "SUCCEEDED"
    assert to_loc8(run)["failed"] == 0
    assert matches(emulated, integration_id)["LCT"]["tax_rate_code"] is None


def test_an_explicit_mapping_wins_over_the_name_and_the_invoices_sent_use_it(
    emulated, app_kit: AppKit
):
    gst_free_before = loc8_tax_types(emulated)["GST_FREE"]

    integration_id, run = activate(
        emulated,
        app_kit,
        sync_domains={"tax_rates": True, "customers": True, "invoices": True},
        mapping={"GST_FREE": app_kit.gst_code},
    )

    gst_free = loc8_tax_types(emulated)["GST_FREE"]
    matched = matches(emulated, integration_id)["GST_FREE"]
    assert (matched["tax_rate_code"], matched["matched_by"]) == (app_kit.gst_code, "mapping")
    assert (gst_free["id"], gst_free["rate"]) == (gst_free_before["id"], "10.00")
    # Lines Loc8 codes GST_FREE reach the app with the rate the admin chose for it.
    numbers = {i["number"] for i in emulated.loc8.snapshot(TENANT)["invoices"]}
    sent = [
        invoice
        for page in app_kit.app(integration_id).invoice_pages(None)
        for invoice in page.records
        if invoice.number in numbers
    ]
    assert sent, run["errors"]
    assert {line.tax_type for invoice in sent for line in invoice.lines} == {app_kit.gst_code}


def test_an_invoice_on_a_loc8_only_type_waits_for_the_settings_to_name_its_rate(
    emulated, app_kit: AppKit
):
    emulated.container.loc8_api.create_tax_type(
        TENANT, Loc8TaxTypeDraft(code="LCT", name="Luxury car levy", rate=Decimal("33"))
    )
    customer = emulated.loc8.snapshot(TENANT)["customers"][0]["id"]
    invoice = emulated.loc8.add_invoice(
        TENANT,
        {
            "customer_id": customer,
            "issue_date": "2026-11-20",
            "due_date": "2026-12-04",
            "status": "issued",
            "lines": [
                {
                    "description": "Fleet vehicle fit-out",
                    "quantity": "1",
                    "unit_price": "900.00",
                    "tax_type_code": "LCT",
                }
            ],
        },
    )
    invoices = {"tax_rates": True, "customers": True, "invoices": True}

    integration_id, run = activate(emulated, app_kit, sync_domains=invoices)

    [error] = [e for e in run["errors"] if e["record"] == invoice["number"]]
    app_name = app_kit.app(integration_id).profile.name
    assert error["message"] == (
        f"Tax type LCT on 'Fleet vehicle fit-out' has no {app_name} equivalent; choose its "
        f"{app_name} tax rate in the settings, or re-code the line."
    )

    # The admin says which rate it is: the next run sends the invoice with it.
    saved = emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": invoices,
                "invoice_status": draft_status(app_kit, integration_id),
                "default_account_code": app_kit.accounts["200"],
                "line_item_accounts": {},
                "tax_rate_mappings": {"LCT": app_kit.gst_code},
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    again = sync(emulated, integration_id)

    assert invoice["number"] not in {e["record"] for e in again["errors"]}
    [sent] = [
        i
        for page in app_kit.app(integration_id).invoice_pages(None)
        for i in page.records
        if i.number == invoice["number"]
    ]
    assert [line.tax_type for line in sent.lines] == [app_kit.gst_code]
    assert loc8_tax_types(emulated)["LCT"]["rate"] == "10.00"  # it takes the app's rate
