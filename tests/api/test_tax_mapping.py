"""The tax mapping in the config: Loc8's tax types listed with the app rate each stands
for, the admin's choices validated and saved. App and Loc8 faked, every answer checked
against docs/openapi.yaml."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.accounting import TaxRate
from tests.support.auth import bearer
from tests.support.config import CALLOUT, LABOUR, valid_config
from tests.support.consent import connect
from tests.support.fakes import FakeAccountingSettings, FakeLoc8, loc8_line_item


@pytest.fixture
def loc8(container) -> FakeLoc8:
    fake = FakeLoc8(
        line_items={
            "tenant-a": [
                loc8_line_item(LABOUR, "LAB-STD", "Labour - standard rate"),
                loc8_line_item(CALLOUT, "CALLOUT", "Call-out fee"),
            ]
        }
    )
    fake.add_tax_type("tenant-a", "GST", "GST on Income", "10.00")
    fake.add_tax_type("tenant-a", "GST_FREE", "GST free", "0.00")
    fake.add_tax_type("tenant-a", "LCT", "Luxury car tax", "33.00")
    fake.add_tax_type("tenant-a", "OLD", "Old rate", "12.50", active=False)
    container.__dict__["loc8_api"] = fake
    return fake


@pytest.fixture
def authorised(api, fake_app, loc8, container) -> str:
    integration_id = connect(api, fake_app)["added"]["id"]
    container.providers.settings = FakeAccountingSettings()
    container.providers.settings.tax_rates_list = [
        *container.providers.settings.tax_rates_list,
        TaxRate(
            code="INPUT", name="GST on Expenses", rate=10, status="ACTIVE", applies_to_revenue=False
        ),
        TaxRate(code="TAX001", name="Retired", rate=5, status="ARCHIVED"),
    ]
    return integration_id


def tax_types(api, integration_id: str) -> dict:
    answer = api.http.get(f"/v1/integrations/{integration_id}/tax-types", headers=bearer())
    assert answer.status_code == 200, answer.body
    return answer.json_body


def put_config(api, integration_id: str, mapping: dict):
    return api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps(valid_config(tax_rate_mappings=mapping)),
    )


def test_each_loc8_tax_type_comes_with_the_rate_the_sync_would_match_it_to(api, authorised):
    listed = tax_types(api, authorised)

    by_code = {t["code"]: t for t in listed["tax_types"]}
    assert {c: (t["tax_rate_code"], t["matched_by"]) for c, t in by_code.items()} == {
        "GST": ("OUTPUT", "name"),
        "GST_FREE": ("EXEMPTOUTPUT", "rate"),  # the only sales rate at 0%
        "LCT": (None, None),  # no counterpart: the page offers "leave as it is"
        "OLD": (None, None),
    }
    assert by_code["GST"]["rate"] == "10.00"
    assert by_code["OLD"]["active"] is False
    # Only the app's active sales rates can be chosen.
    assert [r["code"] for r in listed["tax_rates"]] == ["EXEMPTOUTPUT", "OUTPUT"]


def test_a_saved_mapping_is_what_the_sync_and_the_page_use(api, authorised):
    saved = put_config(api, authorised, {"LCT": "OUTPUT", "GST_FREE": None})

    assert saved.status_code == 200, saved.body
    config = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer()).json_body
    assert config["tax_rate_mappings"] == {"LCT": "OUTPUT", "GST_FREE": None}
    by_code = {t["code"]: t for t in tax_types(api, authorised)["tax_types"]}
    assert (by_code["LCT"]["tax_rate_code"], by_code["LCT"]["matched_by"]) == ("OUTPUT", "mapping")
    assert (by_code["GST_FREE"]["tax_rate_code"], by_code["GST_FREE"]["matched_by"]) == (None, None)
    assert by_code["GST"]["matched_by"] == "name"  # not named in the mapping: automatic


def test_a_mapping_to_anything_but_an_active_sales_rate_is_refused_field_by_field(
    api, authorised, loc8
):
    refused = put_config(
        api,
        authorised,
        {"GST": "INPUT", "GST_FREE": "TAX001", "LCT": "NOPE", "MISSING": "OUTPUT"},
    )

    assert refused.status_code == 422
    problems = {e["field"]: e["message"] for e in refused.json_body["errors"]}
    assert problems == {
        "tax_rate_mappings.GST": (
            "Tax rate INPUT (GST on Expenses) does not apply to sales in Xero; "
            "choose a sales tax rate."
        ),
        "tax_rate_mappings.GST_FREE": "Tax rate TAX001 is archived in Xero.",
        "tax_rate_mappings.LCT": "Tax rate NOPE does not exist in Xero.",
        "tax_rate_mappings.MISSING": "Loc8 has no tax type MISSING.",
    }
    # Nothing saved: the integration is still waiting for its first config.
    integration = api.http.get(f"/v1/integrations/{authorised}", headers=bearer()).json_body
    assert integration["status"] == "AUTHORISED"


def test_a_config_without_a_mapping_asks_nothing_more_of_loc8(api, authorised, loc8):
    calls_before = len(loc8.calls)

    assert put_config(api, authorised, {}).status_code == 200

    assert "tax_types" not in loc8.calls[calls_before:]


def test_an_empty_rate_code_is_refused_on_parsing(api, authorised):
    refused = put_config(api, authorised, {"GST": ""})

    assert refused.status_code == 422
    [error] = refused.json_body["errors"]
    assert error["field"] == "tax_rate_mappings"
    assert "tax type 'GST' has an invalid tax rate code" in error["message"]
