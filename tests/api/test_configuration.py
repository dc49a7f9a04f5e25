"""Configure and activate through the routes: Xero settings faked, Loc8 faked, moto AWS."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import boto3
import pytest

from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.app_profile import AppProfile
from tests.support.auth import bearer
from tests.support.config import CALLOUT, LABOUR, valid_config
from tests.support.consent import add_xero, callback, connect, finish, redirect_params
from tests.support.fakes import FakeLoc8, loc8_line_item
from tests.support.settings import SYNC_QUEUE_URL


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
    container.__dict__["loc8_api"] = fake
    return fake


@pytest.fixture
def authorised(api, fake_app, loc8) -> str:
    return connect(api, fake_app)["added"]["id"]


@dataclass(frozen=True)
class FixedProfile:
    """Stands in for the provider registrations: every app declares this profile."""

    profile: AppProfile

    def profile_for(self, app: str) -> AppProfile:
        return self.profile


# An app with other rules than Xero's: no drafts, three-character account codes.
BOOKS = replace(XERO_PROFILE, name="Books", has_draft_invoices=False, account_code_max_length=3)


def put_config(api, integration_id: str, body: dict, **headers):
    return api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(), "Content-Type": "application/json", **headers},
        body=json.dumps(body),
    )


PAYMENTS_ON = {"sync": {"invoices": True, "line_items": True, "customers": True, "payments": True}}


def queued_messages() -> list[dict]:
    sqs = boto3.client("sqs")
    received = sqs.receive_message(QueueUrl=SYNC_QUEUE_URL, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in received.get("Messages", [])]


def test_the_chart_of_accounts_lists_xeros_accounts(api, authorised):
    response = api.http.get(f"/v1/integrations/{authorised}/accounts", headers=bearer(roles=()))
    assert response.status_code == 200
    sales = next(a for a in response.json_body["accounts"] if a["code"] == "200")
    assert sales == {
        "code": "200",
        "name": "Sales",
        "type": "REVENUE",
        "class": "REVENUE",
        "status": "ACTIVE",
        "tax_type": "OUTPUT",
        "accepts_payments": False,
        "bank": False,
    }
    bank = next(a for a in response.json_body["accounts"] if a["code"] == "090")
    assert bank["accepts_payments"] is True
    assert bank["bank"] is True


def test_accounts_can_be_filtered_by_class(api, authorised):
    response = api.http.get(
        f"/v1/integrations/{authorised}/accounts?class=REVENUE", headers=bearer()
    )
    assert {a["code"] for a in response.json_body["accounts"]} == {"200", "260", "210"}
    bad = api.http.get(f"/v1/integrations/{authorised}/accounts?class=SALES", headers=bearer())
    assert bad.status_code == 400


def test_settings_reads_are_cached_for_a_minute(api, authorised, container, clock):
    for _ in range(3):
        api.http.get(f"/v1/integrations/{authorised}/accounts", headers=bearer())
        api.http.get(f"/v1/integrations/{authorised}/tax-rates", headers=bearer())
    xero = container.providers.settings
    assert xero.calls.count("accounts") == 1
    assert xero.calls.count("tax_rates") == 1
    clock.advance(seconds=61)
    api.http.get(f"/v1/integrations/{authorised}/accounts", headers=bearer())
    assert xero.calls.count("accounts") == 2


def test_tax_rates_come_from_xero(api, authorised):
    rates = api.http.get(f"/v1/integrations/{authorised}/tax-rates", headers=bearer()).json_body
    assert {"code": "OUTPUT", "name": "GST on Income", "rate": 10.0, "status": "ACTIVE"} in rates[
        "tax_rates"
    ]


def test_line_items_show_their_mapping_once_saved(api, authorised):
    before = api.http.get(f"/v1/integrations/{authorised}/line-items", headers=bearer()).json_body
    assert {i["id"]: i["account_code"] for i in before["line_items"]} == {
        LABOUR: None,
        CALLOUT: None,
    }
    put_config(api, authorised, valid_config(line_item_accounts={LABOUR: "260"}))
    after = api.http.get(f"/v1/integrations/{authorised}/line-items", headers=bearer()).json_body
    # The call-out fee is unmapped: it shows null and is coded to the default account.
    assert {i["id"]: i["account_code"] for i in after["line_items"]} == {
        LABOUR: "260",
        CALLOUT: None,
    }


def test_the_first_save_activates_and_queues_one_initial_sync(api, authorised, container):
    response = put_config(api, authorised, valid_config())
    assert response.status_code == 200
    assert response.json_body["status"] == "ACTIVE"
    assert response.json_body["config_version"] == 1
    assert response.headers["ETag"] == '"1"'
    [message] = queued_messages()
    assert message["integration_id"] == authorised
    assert message["trigger"] == "activation"
    run = container.sync_runs.get(authorised, message["run_id"])
    assert (run.status.value, run.trigger.value) == ("QUEUED", "activation")

    saved = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer(roles=()))
    assert saved.headers["ETag"] == '"1"'
    assert saved.json_body["line_item_accounts"] == {LABOUR: "200", CALLOUT: "260"}


def test_later_saves_bump_the_version_without_queueing_again(api, authorised):
    put_config(api, authorised, valid_config())
    queued_messages()
    second = put_config(
        api, authorised, valid_config(invoice_status="AUTHORISED"), **{"If-Match": '"1"'}
    )
    assert second.status_code == 200
    assert second.headers["ETag"] == '"2"'
    assert second.json_body["status"] == "ACTIVE"
    assert queued_messages() == []


def test_a_stale_if_match_is_412_and_changes_nothing(api, authorised):
    put_config(api, authorised, valid_config())
    put_config(api, authorised, valid_config(invoice_status="AUTHORISED"), **{"If-Match": '"1"'})
    stale = put_config(api, authorised, valid_config(), **{"If-Match": '"1"'})
    assert stale.status_code == 412
    current = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer())
    assert current.json_body["invoice_status"] == "AUTHORISED"
    bad = put_config(api, authorised, valid_config(), **{"If-Match": "version-two"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"default_account_code": "999"}, "default_account_code", "does not exist"),
        ({"default_account_code": "210"}, "default_account_code", "archived"),
        ({"default_account_code": "090"}, "default_account_code", "is an asset account"),
        ({"line_item_accounts": {"li_nope": "200"}}, "line_item_accounts.li_nope", "no line item"),
        ({"line_item_accounts": {LABOUR: "400"}}, f"line_item_accounts.{LABOUR}", "revenue"),
        (
            {"default_account_code": None, "line_item_accounts": {LABOUR: "200"}},
            "default_account_code",
            "no account",
        ),
        (
            {
                "sync": {
                    "invoices": False,
                    "line_items": False,
                    "tax_rates": False,
                    "customers": False,
                }
            },
            "sync",
            "at least one",
        ),
        ({"invoice_status": "PAID"}, "invoice_status", ""),
        # A switch is true or false: "yes" or 1 is a mistake to name, not a guess to make.
        ({"sync": {"invoices": "yes", "customers": True}}, "sync.invoices", "boolean"),
        ({"sync": {"invoices": 1, "customers": True}}, "sync.invoices", "boolean"),
        # Payments: into an active account that takes payments, and only with invoices.
        (PAYMENTS_ON, "payment_account_code", "Choose the Xero account"),
        ({**PAYMENTS_ON, "payment_account_code": "200"}, "payment_account_code", "bank account"),
        ({**PAYMENTS_ON, "payment_account_code": "091"}, "payment_account_code", "archived"),
        ({**PAYMENTS_ON, "payment_account_code": "999"}, "payment_account_code", "not exist"),
        (
            {
                "sync": {"invoices": False, "customers": True, "payments": True},
                "payment_account_code": "090",
            },
            "sync.payments",
            "turn on invoices",
        ),
    ],
)
def test_each_invalid_config_is_a_422_naming_the_field(api, authorised, change, field, words):
    response = put_config(api, authorised, valid_config(**change))
    assert response.status_code == 422
    problems = {e["field"]: e["message"] for e in response.json_body["errors"]}
    assert field in problems
    assert words in problems[field]
    assert api.http.get(f"/v1/integrations/{authorised}", headers=bearer()).json_body["status"] == (
        "AUTHORISED"
    )
    assert (
        api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer()).status_code == 404
    )
    assert queued_messages() == []


def test_every_problem_is_reported_at_once(api, authorised):
    response = put_config(
        api,
        authorised,
        valid_config(default_account_code="999", line_item_accounts={LABOUR: "090", "li_x": "200"}),
    )
    fields = sorted(e["field"] for e in response.json_body["errors"])
    assert fields == [
        "default_account_code",
        f"line_item_accounts.{LABOUR}",
        "line_item_accounts.li_x",
    ]


def test_saving_before_authorisation_is_409(api, loc8):
    pending = add_xero(api)
    assert put_config(api, pending["id"], valid_config()).status_code == 409


def test_only_admins_save(api, authorised):
    response = api.http.put(
        f"/v1/integrations/{authorised}/config",
        headers={**bearer(roles=("viewer",)), "Content-Type": "application/json"},
        body=json.dumps(valid_config()),
    )
    assert response.status_code == 403


def test_pause_and_resume(api, authorised):
    assert (
        api.http.post(f"/v1/integrations/{authorised}/pause", headers=bearer()).status_code == 409
    )
    put_config(api, authorised, valid_config())
    paused = api.http.post(f"/v1/integrations/{authorised}/pause", headers=bearer())
    assert paused.json_body["status"] == "PAUSED"
    assert (
        api.http.post(f"/v1/integrations/{authorised}/pause", headers=bearer()).status_code == 200
    )
    resumed = api.http.post(f"/v1/integrations/{authorised}/resume", headers=bearer())
    assert resumed.json_body["status"] == "ACTIVE"


def test_a_saved_config_survives_a_reconnect(api, authorised, fake_app):
    put_config(api, authorised, valid_config())
    again = api.http.post(f"/v1/integrations/{authorised}/authorize", headers=bearer()).json_body
    code, state = fake_app.approve(again["authorize_url"])
    finish(api, redirect_params(callback(api, {"code": code, "state": state})))
    integration = api.http.get(f"/v1/integrations/{authorised}", headers=bearer()).json_body
    assert integration["status"] == "ACTIVE"
    assert integration["config_version"] == 1


def test_a_code_longer_than_xero_allows_is_a_422_naming_the_field(api, authorised):
    response = put_config(api, authorised, valid_config(default_account_code="20000000000"))
    assert response.status_code == 422
    problems = {e["field"]: e["message"] for e in response.json_body["errors"]}
    assert "10 characters Xero allows" in problems["default_account_code"]


def test_the_apps_profile_decides_drafts_and_code_length(api, authorised, container):
    container.__dict__["provider_registry"] = FixedProfile(BOOKS)
    response = put_config(
        api,
        authorised,
        valid_config(invoice_status="DRAFT", line_item_accounts={LABOUR: "2000"}),
    )
    assert response.status_code == 422
    problems = {e["field"]: e["message"] for e in response.json_body["errors"]}
    assert problems == {
        "invoice_status": "Books has no draft invoices; choose approved (AUTHORISED).",
        f"line_item_accounts.{LABOUR}": (
            "Account code 2000 is longer than the 3 characters Books allows."
        ),
    }
    approved = put_config(api, authorised, valid_config(invoice_status="AUTHORISED"))
    assert approved.status_code == 200
    assert approved.json_body["config"]["invoice_status"] == "AUTHORISED"


def without_invoice_status() -> dict:
    return {key: value for key, value in valid_config().items() if key != "invoice_status"}


def test_a_config_without_an_invoice_status_makes_drafts_where_the_app_has_them(
    api, authorised
):
    saved = put_config(api, authorised, without_invoice_status())
    assert saved.status_code == 200, saved.body
    assert saved.json_body["config"]["invoice_status"] == "DRAFT"


def test_a_config_without_an_invoice_status_approves_where_the_app_has_no_drafts(
    api, authorised, container
):
    """QuickBooks Online has no draft invoices: its default is approved."""
    container.__dict__["provider_registry"] = FixedProfile(BOOKS)
    saved = put_config(api, authorised, without_invoice_status())
    assert saved.status_code == 200, saved.body
    assert saved.json_body["config"]["invoice_status"] == "AUTHORISED"
    stored = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer()).json_body
    assert stored["invoice_status"] == "AUTHORISED"


def test_payments_go_into_the_chosen_account_and_a_config_without_them_still_reads(
    api, authorised, container
):
    saved = put_config(api, authorised, valid_config(**PAYMENTS_ON, payment_account_code="090"))
    assert saved.status_code == 200, saved.json_body
    config = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer()).json_body
    assert (config["sync"]["payments"], config["payment_account_code"]) == (True, "090")

    # A config saved before payments had a switch: payments off, nothing else changes.
    integration = container.repo.get("tenant-a", authorised)
    integration.config = valid_config()
    container.repo.save(integration)
    legacy = api.http.get(f"/v1/integrations/{authorised}/config", headers=bearer()).json_body
    assert (legacy["sync"]["payments"], legacy["payment_account_code"]) == (False, None)
    assert legacy["sync"]["invoices"] is True
