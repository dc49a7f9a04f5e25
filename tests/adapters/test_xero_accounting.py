"""The Xero Accounting client against the emulator: reads in the domain's terms, typed
write refusals, the rate budget, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.adapters.providers.xero.accounting import XeroAccounting
from chalicelib.adapters.providers.xero.failures import write_failure
from chalicelib.adapters.providers.xero.mappers import (
    account_from_xero,
    contact_from_xero,
    payment_from_xero,
    tax_rate_from_xero,
)
from chalicelib.domain.accounting import (
    AccountClass,
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    RecordStatus,
)
from chalicelib.domain.app_profile import InvoiceRemoval, WriteFailure
from chalicelib.domain.errors import AccessRevoked, RateLimited
from chalicelib.domain.oauth_state import pkce_challenge
from localdev.xero import DEMO_TENANT_ID
from tests.support import xero_emulator_fixtures
from tests.support.xero_emulator_fixtures import xero_oauth

VERIFIER = "v" * 64
WRITE_SCOPES = ["accounting.contacts", "accounting.invoices", "accounting.payments"]


@pytest.fixture
def connected(xero, monkeypatch):
    emulator, server = xero
    monkeypatch.setattr(
        xero_emulator_fixtures, "SCOPES", [*xero_emulator_fixtures.SCOPES, *WRITE_SCOPES]
    )
    oauth = xero_oauth(server)
    code = parse_qs(
        urlsplit(emulator.consent(oauth.authorization_url("s", pkce_challenge(VERIFIER)))).query
    )["code"][0]
    tokens = {"current": oauth.exchange_code(code, VERIFIER)}
    refreshes: list[bool] = []

    def access_token(force_refresh: bool) -> str:
        if force_refresh:
            refreshes.append(True)
            tokens["current"] = oauth.refresh(tokens["current"])
        return tokens["current"].access_token.get_secret_value()

    client = XeroAccounting(
        api_url=server.url,
        tenant_id=DEMO_TENANT_ID,
        access_token=access_token,
        timeout=(1.0, 5.0),
        session=requests.Session(),
    )
    return emulator, client, refreshes, access_token


def test_the_chart_of_accounts_is_read_with_classes_and_statuses(connected):
    _emulator, client, _, _ = connected
    accounts = {account.code: account for account in client.accounts()}
    assert accounts["200"].name == "Sales"
    assert accounts["200"].account_class is AccountClass.REVENUE
    assert accounts["200"].takes_sales
    assert accounts["200"].is_active
    assert accounts["090"].account_class is AccountClass.ASSET
    assert not accounts["090"].takes_sales
    # "Consulting Fees (old)" is ARCHIVED in Xero.
    assert accounts["210"].status is RecordStatus.ARCHIVED
    assert not accounts["210"].is_active


def test_tax_rates_are_read_with_their_rates(connected):
    _emulator, client, _, _ = connected
    rates = {rate.code: rate for rate in client.tax_rates()}
    assert rates["OUTPUT"].rate == Decimal("10")
    assert rates["OUTPUT"].applies_to_revenue
    assert not rates["INPUT"].applies_to_revenue
    assert rates["OUTPUT"].status is RecordStatus.ACTIVE
    assert rates["TAX001"].status is RecordStatus.ARCHIVED


def test_the_rate_budget_is_the_nearest_limit_read_from_every_response(connected):
    emulator, client, _, _ = connected
    assert client.rate_budget().calls_left is None  # nothing said yet
    client.accounts()
    first = client.rate_budget()
    client.tax_rates()
    # Xero allows 60 calls a minute per organisation: the minute window is nearest.
    assert first.calls_left is not None
    assert first.calls_left < 60
    assert client.rate_budget().calls_left == first.calls_left - 1
    assert client.rate_budget().refill_seconds == 60
    # With the day nearly spent, the day is the nearest limit and takes longer to refill.
    [usage] = emulator.limits.usage()["connections"]
    emulator.limits.configure(per_day=usage["lastDay"] + 3)
    client.tax_rates()
    budget = client.rate_budget()
    assert budget.calls_left == 2
    assert budget.refill_seconds > 60


def test_the_profile_states_xeros_rules(connected):
    _emulator, client, _, _ = connected
    profile = client.profile
    assert profile.write_batch_size == 50
    assert profile.has_draft_invoices
    assert profile.removal_for(approved=False) is InvoiceRemoval.DELETE
    assert profile.removal_for(approved=True) is InvoiceRemoval.VOID
    assert profile.invoice_url("abc") == (
        "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=abc"
    )


def _invoice(contact_id: str, number: str, **changes) -> AppInvoice:
    fields = {
        "number": number,
        "contact_id": contact_id,
        "status": AppInvoiceStatus.APPROVED,
        "date": date(2026, 11, 2),
        "due_date": date(2026, 11, 30),
        "lines": [
            AppInvoiceLine(
                description="Service call",
                quantity=Decimal(1),
                unit_amount=Decimal("120"),
                account_code="200",
                tax_type="OUTPUT",
            )
        ],
    }
    return AppInvoice(**{**fields, **changes})


def _contact_id(client: XeroAccounting, name: str) -> str:
    [contact] = client.find_contacts(names=[name], emails=[])
    return contact.id


def test_invoice_statuses_are_read_and_sent_in_the_domains_terms(connected):
    _emulator, client, _, _ = connected
    contact_id = _contact_id(client, "City Agency")
    draft, approved = client.create_invoices(
        [
            _invoice(contact_id, "T-1", status=AppInvoiceStatus.DRAFT),
            _invoice(contact_id, "T-2"),
        ],
        "key-statuses",
    )
    assert draft.ok
    assert draft.record.status is AppInvoiceStatus.DRAFT
    assert approved.ok
    assert approved.record.status is AppInvoiceStatus.APPROVED
    [voided] = client.update_invoices(
        [approved.record.model_copy(update={"status": AppInvoiceStatus.VOIDED})], "key-void"
    )
    assert voided.ok
    assert voided.record.status is AppInvoiceStatus.VOIDED
    found = {invoice.number: invoice.status for invoice in client.find_invoices(["T-1", "T-2"])}
    assert found == {"T-1": AppInvoiceStatus.DRAFT, "T-2": AppInvoiceStatus.VOIDED}


def test_each_refused_record_carries_a_typed_reason(connected):
    _emulator, client, _, _ = connected
    contact_id = _contact_id(client, "City Agency")
    [first] = client.create_invoices([_invoice(contact_id, "T-9")], "key-first")
    assert first.ok
    assert first.reason is None
    taken, archived, fine = client.create_invoices(
        [
            _invoice(contact_id, "T-9"),
            _invoice(
                contact_id,
                "T-10",
                lines=[
                    AppInvoiceLine(
                        description="Consulting",
                        quantity=Decimal(1),
                        unit_amount=Decimal(10),
                        account_code="210",  # archived in Xero
                        tax_type="OUTPUT",
                    )
                ],
            ),
            _invoice(contact_id, "T-11"),
        ],
        "key-second",
    )
    assert (taken.ok, taken.reason) == (False, WriteFailure.NUMBER_TAKEN)
    assert taken.errors  # Xero's own words stay for the person reading the run
    assert (archived.ok, archived.reason) == (False, WriteFailure.ARCHIVED_REFERENCE)
    assert fine.ok
    assert fine.reason is None


def test_a_contact_name_in_use_is_name_taken(connected):
    _emulator, client, _, _ = connected
    [result] = client.create_contacts([AppContactDraft(name="Boom FM")], "key-contact")
    assert (result.ok, result.reason) == (False, WriteFailure.NAME_TAKEN)


def test_a_lookup_of_many_long_names_and_emails_stays_within_xeros_url_limit(connected):
    """Xero answers a URL over about 2,090 characters with a 404; the lookup is split
    into calls that fit, and a contact matched by two of them comes back once."""
    _emulator, client, _, _ = connected
    size = 2 * client.profile.lookup_batch_size
    names = [f"Harbourview Strata Management Number {n:02d} Pty Ltd" for n in range(size)]
    emails = [f"accounts.payable.{n:02d}@harbourview-strata.example.com.au" for n in range(size)]
    names[0], emails[-1] = "Boom FM", "finance@boomfm.example.com"
    found = client.find_contacts(names=names, emails=emails)
    assert [contact.name for contact in found] == ["Boom FM"]


def test_invoices_are_read_by_id_past_xeros_ids_limit_with_their_lines(connected):
    _emulator, client, _, _ = connected
    contact_id = _contact_id(client, "City Agency")
    drafts = [
        _invoice(contact_id, f"BULK-{n:03d}", status=AppInvoiceStatus.DRAFT) for n in range(60)
    ]
    created = client.create_invoices(drafts[:50], "key-bulk-1")
    created += client.create_invoices(drafts[50:], "key-bulk-2")
    ids = [result.record.id for result in created if result.ok]
    assert len(ids) == 60
    read = client.get_invoices(ids)
    assert sorted(invoice.number for invoice in read) == sorted(d.number for d in drafts)
    assert all([line.description for line in i.lines] == ["Service call"] for i in read)


def test_invoices_found_by_number_come_with_their_lines(connected):
    """Xero lists an invoice's line items only when the read names a page."""
    _emulator, client, _, _ = connected
    contact_id = _contact_id(client, "City Agency")
    [created] = client.create_invoices([_invoice(contact_id, "T-20")], "key-t20")
    assert created.ok
    [found] = client.find_invoices(["T-20"])
    assert [line.description for line in found.lines] == ["Service call"]
    assert found.lines[0].id == created.record.lines[0].id


def test_contacts_and_payments_come_with_record_statuses(connected):
    _emulator, client, _, _ = connected
    contacts = {c.name: c for page in client.contact_pages(None) for c in page.records}
    assert contacts["Bayside Club"].status is RecordStatus.ACTIVE
    payments = [p for page in client.payment_pages(None) for p in page.records]
    assert payments
    assert all(p.status is RecordStatus.ACTIVE for p in payments)


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (contact_from_xero, {"ContactID": "c", "Name": "Gone", "ContactStatus": "ARCHIVED"}),
        (contact_from_xero, {"ContactID": "c", "Name": "Gone", "ContactStatus": "GDPRREQUEST"}),
        (payment_from_xero, {"PaymentID": "p", "Amount": 5, "Status": "DELETED"}),
        (tax_rate_from_xero, {"TaxType": "OLD", "Status": "DELETED"}),
        (tax_rate_from_xero, {"TaxType": "NEW", "Status": "PENDING"}),
    ],
)
def test_xeros_inactive_statuses_read_as_archived(parse, body):
    assert parse(body).status is RecordStatus.ARCHIVED


def test_an_account_of_no_known_class_is_left_out():
    assert account_from_xero({"Code": "999", "Name": "Odd", "Class": "OTHER"}) is None


def test_an_expired_token_is_refreshed_once_and_the_call_retried(connected):
    emulator, client, refreshes, _ = connected
    emulator.clock.advance(31 * 60)
    assert client.accounts()
    assert refreshes == [True]


def test_a_429_says_which_limit_and_how_long_to_wait(connected):
    emulator, client, _, _ = connected
    emulator.faults.add(
        "GET",
        "/api.xro/2.0/TaxRates",
        status=429,
        headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
    )
    with pytest.raises(RateLimited) as limited:
        client.tax_rates()
    assert (limited.value.problem, limited.value.retry_after_seconds) == ("minute", 37)


def test_an_organisation_no_longer_connected_is_access_revoked(connected):
    emulator, client, _, access_token = connected
    [connection] = emulator.connections()
    # The user disconnects the organisation in Xero.
    emulator.app.test_client().delete(
        f"/connections/{connection.id}",
        headers={"Authorization": f"Bearer {access_token(False)}"},
    )
    with pytest.raises(AccessRevoked):
        client.accounts()


@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        (["Invoice # must be unique."], WriteFailure.NUMBER_TAKEN),
        (["Price List Item with Code 'CALLOUT' already exists"], WriteFailure.NUMBER_TAKEN),
        (
            ["Another contact has this contact number. Please enter a unique contact number."],
            WriteFailure.NUMBER_TAKEN,
        ),
        (
            [
                "The contact name Boom FM is already assigned to another contact. The contact "
                "name must be unique across all active contacts."
            ],
            WriteFailure.NAME_TAKEN,
        ),
        (
            ["The document date cannot be before the period lock date of 31 Oct 2026."],
            WriteFailure.LOCKED_PERIOD,
        ),
        (
            [
                "Account code '210' has been archived, or has been deleted. Each line item must "
                "reference a valid account."
            ],
            WriteFailure.ARCHIVED_REFERENCE,
        ),
        (["Invoice not of valid status for modification"], WriteFailure.NOT_EDITABLE),
        (
            ["This document cannot be edited as it has a payment or credit note allocated to it."],
            WriteFailure.HAS_PAYMENTS,
        ),
        (
            ["Payments can only be made against Authorised documents"],
            WriteFailure.INVALID,
        ),
        (["Invoice could not be found"], WriteFailure.NOT_FOUND),
        (["Email address must be valid."], WriteFailure.INVALID),
        (["The document DueDate field must be specified."], WriteFailure.INVALID),
        (
            ["The contact Old Customer is archived and cannot be used on a new transaction."],
            WriteFailure.ARCHIVED_REFERENCE,
        ),
        ([], WriteFailure.UNKNOWN),
    ],
)
def test_xeros_validation_messages_become_typed_reasons(messages, reason):
    assert write_failure(messages) is reason
