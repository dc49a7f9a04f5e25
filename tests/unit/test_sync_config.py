"""Config rules come from the app's profile, not from any one app's numbers."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.accounting import Account, AccountClass, RecordStatus
from chalicelib.domain.sync_config import InvoiceStatus, SyncConfig, config_problems

SALES = Account(
    code="4000-SALES-AU",
    name="Sales",
    type="Income",
    account_class=AccountClass.REVENUE,
    status=RecordStatus.ACTIVE,
)
# An app that allows longer codes than Xero, and has no drafts.
LEDGER = replace(XERO_PROFILE, name="Ledger", account_code_max_length=20, has_draft_invoices=False)


def config(**fields: object) -> SyncConfig:
    return SyncConfig.model_validate({"sync": {"invoices": True}, **fields})


def test_a_code_too_long_for_xero_is_fine_for_an_app_that_allows_it():
    chosen = config(invoice_status="AUTHORISED", default_account_code="4000-SALES-AU")
    assert config_problems(chosen, [SALES], set(), LEDGER) == []
    [problem] = config_problems(chosen, [SALES], set(), XERO_PROFILE)
    assert problem.field == "default_account_code"
    assert problem.message == (
        "Account code 4000-SALES-AU is longer than the 10 characters Xero allows."
    )


def test_drafts_are_refused_only_by_an_app_without_them():
    chosen = config(invoice_status="DRAFT", default_account_code="4000-SALES-AU")
    assert config_problems(chosen, [SALES], set(), LEDGER)[0].field == "invoice_status"
    assert config_problems(chosen, [SALES], set(), replace(LEDGER, has_draft_invoices=True)) == []


def test_approved_keeps_its_contract_name():
    assert config(invoice_status="AUTHORISED").invoice_status is InvoiceStatus.APPROVED
    assert config(invoice_status="AUTHORISED").model_dump(mode="json")["invoice_status"] == (
        "AUTHORISED"
    )
