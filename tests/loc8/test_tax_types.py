"""Tax types change in place: created one at a time, updated by id, never replaced.

Through the HTTP adapter (requests and answers checked against docs/loc8-core-api.yaml)
and over raw HTTP for what the adapter never sends.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from chalicelib.domain.loc8 import Loc8LineItemDraft, Loc8TaxTypeChange, Loc8TaxTypeDraft
from chalicelib.domain.loc8_errors import Loc8NotFound, Loc8ValidationFailed
from localdev.loc8 import Loc8Emulator
from tests.support.loc8_emulator import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def by_code(loc8) -> dict:
    return {t.code: t for t in loc8.tax_types("demo")}


def test_an_update_keeps_the_id_code_and_active_flag(loc8, emulator: Loc8Emulator):
    gst = by_code(loc8)["GST"]

    updated = loc8.update_tax_type(
        "demo", gst.id, Loc8TaxTypeChange(name="GST on Sales", rate=Decimal("15"))
    )

    assert (updated.id, updated.code, updated.active) == (gst.id, "GST", True)
    assert (updated.name, updated.rate, updated.version) == ("GST on Sales", Decimal(15), 2)
    # Loc8 writes rates with two places, whatever the sender sent.
    [raw] = [t for t in emulator.snapshot("demo")["tax_types"] if t["code"] == "GST"]
    assert raw["rate"] == "15.00"
    # Nothing else was touched: no other type changed, none deactivated.
    assert {c: (t.active, t.version) for c, t in by_code(loc8).items() if c != "GST"} == {
        "BAS_EXCLUDED": (True, 1),
        "GST_FREE": (True, 1),
    }


def test_an_update_sends_only_what_changes_and_a_no_change_bumps_nothing(loc8):
    gst_free = by_code(loc8)["GST_FREE"]

    renamed = loc8.update_tax_type("demo", gst_free.id, Loc8TaxTypeChange(name="GST free"))
    assert (renamed.name, renamed.rate, renamed.version) == ("GST free", Decimal("0.00"), 2)
    again = loc8.update_tax_type("demo", gst_free.id, Loc8TaxTypeChange(rate=Decimal("0")))
    assert (again.version, again.updated_at) == (renamed.version, renamed.updated_at)


def test_an_inactive_type_stays_inactive_when_its_rate_changes(loc8, emulator: Loc8Emulator):
    retired = emulator.tenant("demo").deactivate_tax_type("BAS_EXCLUDED")

    updated = loc8.update_tax_type("demo", retired.id, Loc8TaxTypeChange(rate=Decimal("1.5")))

    assert updated.active is False
    assert updated.rate == Decimal("1.50")


def test_an_issued_invoice_stays_editable_after_its_tax_types_change(
    loc8, server, emulator: Loc8Emulator
):
    """A Loc8 user edits an invoice whose lines carry every demo tax type in use."""
    tenant = emulator.tenant("demo")
    issued = next(i for i in tenant.invoices.values() if i.status == "issued")
    for tax_type in loc8.tax_types("demo"):
        loc8.update_tax_type("demo", tax_type.id, Loc8TaxTypeChange(name=f"{tax_type.name} (AU)"))

    draft = {
        "customer_id": issued.customer_id,
        "reference": "edited after the tax sync",
        "issue_date": issued.issue_date.isoformat(),
        "due_date": issued.due_date.isoformat(),
        "status": "issued",
        "lines": [
            {
                "line_item_id": line.line_item_id,
                "description": line.description,
                "quantity": format(line.quantity, "f"),
                "unit_price": format(line.unit_price, "f"),
                "tax_type_code": line.tax_type_code,
            }
            for line in issued.lines
        ],
    }
    edited = requests.put(
        f"{server.url}/_emulator/tenants/demo/invoices/{issued.id}", json=draft, timeout=5
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["reference"] == "edited after the tax sync"


def test_a_created_type_is_active_and_its_code_is_unique_ignoring_case(loc8):
    created = loc8.create_tax_type(
        "demo", Loc8TaxTypeDraft(code="EXEMPTEXPORT", name="GST Free Exports", rate=Decimal(0))
    )
    assert (created.active, created.version, created.rate) == (True, 1, Decimal("0.00"))
    # Usable at once by a line item.
    item = loc8.create_line_item(
        "demo",
        Loc8LineItemDraft(
            code="EXPORT-FEE",
            name="Export fee",
            unit_price=Decimal(5),
            tax_type_code="EXEMPTEXPORT",
        ),
    )
    assert item.tax_type_code == "EXEMPTEXPORT"

    with pytest.raises(Loc8ValidationFailed) as refused:
        loc8.create_tax_type(
            "demo", Loc8TaxTypeDraft(code="gst", name="Another GST", rate=Decimal(10))
        )
    assert [p.field for p in refused.value.problems] == ["code"]


def test_an_unknown_tax_type_is_not_found(loc8):
    with pytest.raises(Loc8NotFound):
        loc8.update_tax_type("demo", "tax_nope", Loc8TaxTypeChange(name="x"))


@pytest.mark.parametrize(
    "body",
    [{}, {"name": None}, {"rate": None}, {"rate": 10}, {"rate": "101"}, {"code": "X"}],
    ids=["empty", "null-name", "null-rate", "number-rate", "over-100", "code"],
)
def test_a_patch_changes_only_name_or_rate_given_as_contract_values(server, checked, body):
    gst = checked.get(f"{server.url}/v1/tenants/demo/tax-types", headers=AUTH).json()["items"][1]
    url = f"{server.url}/v1/tenants/demo/tax-types/{gst['id']}"

    response = checked.patch(url, json=body, headers=AUTH)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_repeated_key_replays_an_update_and_refuses_another_under_it(
    server, checked, emulator: Loc8Emulator
):
    gst = next(t for t in emulator.snapshot("demo")["tax_types"] if t["code"] == "GST")
    url = f"{server.url}/v1/tenants/demo/tax-types/{gst['id']}"
    headers = {**AUTH, "Idempotency-Key": "tax-1"}

    first = checked.patch(url, json={"rate": "12.5"}, headers=headers)
    # The type moves on meanwhile; the replay still answers what the first call did.
    emulator.tenant("demo").tax_types["GST"].fields = (
        emulator.tenant("demo").tax_types["GST"].fields.model_copy(update={"name": "Moved on"})
    )
    again = checked.patch(url, json={"rate": "12.5"}, headers=headers)

    assert first.json()["rate"] == "12.50"
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = checked.patch(url, json={"rate": "13"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:loc8:problem:idempotency-key-reused"


def test_the_set_is_never_replaced(server):
    """The old PUT (replace the active set) is gone: it deactivated what invoices use."""
    response = requests.put(
        f"{server.url}/v1/tenants/demo/tax-types",
        json={"tax_types": [{"code": "OUTPUT", "name": "GST on Income", "rate": "10"}]},
        headers=AUTH,
        timeout=5,
    )
    assert response.status_code == 405
