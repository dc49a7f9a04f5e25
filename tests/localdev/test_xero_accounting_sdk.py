"""Xero's official Python SDK drives the Accounting API emulation end to end.

A real client, written by Xero against the real API, deserialising the emulator's
answers into its models (enums, MS dates, numbers) is the strongest evidence that a
client which works here works against Xero.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from localdev.serving import RunningServer
from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import ACCOUNTING_SCOPES
from tests.support.xero_flow import CLIENT_ID, CLIENT_SECRET, XeroFlow

xero_python = pytest.importorskip("xero_python")

from xero_python.accounting import (  # noqa: E402
    Account,
    AccountingApi,
    Contact,
    Contacts,
    Invoice,
    Invoices,
    Item,
    Items,
    LineItem,
    Payment,
    Purchase,
)
from xero_python.api_client import ApiClient, Configuration  # noqa: E402
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi  # noqa: E402
from xero_python.exceptions import (  # noqa: E402
    AccountingBadRequestException,
    NotFoundException,
    RateLimitException,
)
from xero_python.identity import IdentityApi  # noqa: E402


def value(field: Any) -> Any:
    """The SDK models some enums as Enum members and others as plain strings."""
    return getattr(field, "value", field)


class TokenStore:
    """What a product keeps per connection: the SDK reads and writes it."""

    def __init__(self, tokens: dict[str, Any]) -> None:
        tokens = dict(tokens)
        tokens["scope"] = tokens["scope"].split()
        tokens["expires_at"] = time.time() + tokens["expires_in"]
        self.token = tokens
        self.saved = 0

    def get(self) -> dict[str, Any]:
        return self.token

    def save(self, token: dict[str, Any]) -> None:
        self.token = token
        self.saved += 1


@pytest.fixture
def sdk(
    xero: XeroFlow, server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[AccountingApi, IdentityApi, TokenStore]:
    # The SDK hard-codes identity.xero.com on the class; monkeypatch restores it after.
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{server.url}/connect/token")
    store = TokenStore(xero.login(scope=ACCOUNTING_SCOPES))
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
        oauth2_token_getter=store.get,
        oauth2_token_saver=store.save,
    )
    accounting = AccountingApi(client, base_url=f"{server.url}/api.xro/2.0")
    return accounting, IdentityApi(client, base_url=server.url), store


def test_settings_connections_accounts_tax_rates_and_items(sdk: tuple) -> None:
    accounting, identity, _ = sdk
    [connection] = identity.get_connections()
    tenant = connection.tenant_id
    assert tenant == DEMO_TENANT_ID

    [organisation] = accounting.get_organisations(tenant).organisations
    assert organisation.name == "Demo Company (AU)"
    assert value(organisation.base_currency) == "AUD"

    rates = {rate.tax_type: rate for rate in accounting.get_tax_rates(tenant).tax_rates}
    assert rates["OUTPUT"].effective_rate == 10.0
    assert rates["OUTPUT"].can_apply_to_revenue is True
    assert rates["INPUT"].can_apply_to_revenue is False

    banks = accounting.get_accounts(tenant, where='Status=="ACTIVE" AND Type=="BANK"').accounts
    assert [a.code for a in banks] == ["090", "091"]
    assert value(banks[0].type) == "BANK"
    assert banks[0].updated_date_utc.tzinfo is not None

    created = accounting.create_items(
        tenant,
        Items(
            items=[
                Item(
                    code="SDK-1",
                    name="SDK item",
                    sales_details=Purchase(unit_price=12.5, account_code="200", tax_type="OUTPUT"),
                )
            ]
        ),
    ).items[0]
    assert created.item_id
    codes = [item.code for item in accounting.get_items(tenant).items]
    assert "SDK-1" in codes
    assert accounting.get_item(tenant, created.item_id).items[0].sales_details.unit_price == 12.5


def test_contacts_paging_and_if_modified_since(sdk: tuple, emulator: XeroEmulator) -> None:
    accounting, _, _ = sdk
    new = [Contact(name=f"SDK Customer {n}", email_address=f"c{n}@example.com") for n in range(5)]
    created = accounting.create_contacts(DEMO_TENANT_ID, Contacts(contacts=new)).contacts
    assert all(c.contact_id for c in created)

    page = accounting.get_contacts(DEMO_TENANT_ID, page=2, page_size=4)
    assert page.pagination.page == 2
    assert page.pagination.page_size == 4
    assert page.pagination.item_count == 15  # 10 demo contacts + 5
    assert page.pagination.page_count == 4
    assert len(page.contacts) == 4

    emulator.clock.advance(10)
    since = emulator.clock.now()
    emulator.clock.advance(10)
    later = accounting.create_contacts(
        DEMO_TENANT_ID, Contacts(contacts=[Contact(name="Late Customer")])
    ).contacts[0]
    changed = accounting.get_contacts(DEMO_TENANT_ID, if_modified_since=since).contacts
    assert [c.contact_id for c in changed] == [later.contact_id]


def test_invoice_with_idempotency_key_then_payment(sdk: tuple, emulator: XeroEmulator) -> None:
    accounting, _, _ = sdk
    customer = accounting.get_contacts(DEMO_TENANT_ID, where='Name=="Bayside Club"').contacts[0]
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=customer.contact_id),
        date=date(2026, 3, 2),
        due_date=date(2026, 3, 16),
        status="AUTHORISED",
        line_items=[
            LineItem(
                description="Service call",
                quantity=2.0,
                unit_amount=50.0,
                account_code="200",
                tax_type="OUTPUT",
            )
        ],
    )
    first = accounting.create_invoices(
        DEMO_TENANT_ID, Invoices(invoices=[invoice]), idempotency_key="job-42-invoice"
    ).invoices[0]
    again = accounting.create_invoices(
        DEMO_TENANT_ID, Invoices(invoices=[invoice]), idempotency_key="job-42-invoice"
    ).invoices[0]
    assert again.invoice_id == first.invoice_id
    assert (first.sub_total, first.total_tax, first.total) == (100.0, 10.0, 110.0)
    assert first.date == date(2026, 3, 2)
    assert value(first.status) == "AUTHORISED"
    numbers = accounting.get_invoices(DEMO_TENANT_ID, invoice_numbers=[first.invoice_number])
    assert len(numbers.invoices) == 1  # the retry did not create a second invoice

    payment = accounting.create_payment(
        DEMO_TENANT_ID,
        Payment(
            invoice=Invoice(invoice_id=first.invoice_id),
            account=Account(code="090"),
            amount=110.0,
            date=date(2026, 3, 10),
        ),
    ).payments[0]
    assert value(payment.payment_type) == "ACCRECPAYMENT"
    paid = accounting.get_invoice(DEMO_TENANT_ID, first.invoice_id).invoices[0]
    assert value(paid.status) == "PAID"
    assert paid.amount_due == 0.0
    assert paid.fully_paid_on_date == date(2026, 3, 10)
    assert [p.payment_id for p in accounting.get_payments(DEMO_TENANT_ID, page=1).payments][-1] == (
        payment.payment_id
    )


def test_validation_error_surfaces_as_accounting_bad_request(sdk: tuple) -> None:
    accounting, _, _ = sdk
    customer = accounting.get_contacts(DEMO_TENANT_ID, page=1).contacts[0]
    bad = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=customer.contact_id),
        status="AUTHORISED",
        due_date=date(2026, 3, 31),
        line_items=[LineItem(description="x", quantity=1.0, unit_amount=10.0, account_code="999")],
    )
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_invoices(DEMO_TENANT_ID, Invoices(invoices=[bad]))
    assert caught.value.reason == "Account code '999' is not a valid code for this document."
    assert caught.value.error_data["ErrorNumber"] == 10
    with pytest.raises(NotFoundException):
        accounting.get_invoice(DEMO_TENANT_ID, "00000000-0000-0000-0000-000000000001")


def test_rate_limit_surfaces_as_rate_limit_exception(sdk: tuple, emulator: XeroEmulator) -> None:
    """A POST, because urllib3 (under the SDK) retries a GET/PUT/DELETE 429 by itself,
    sleeping Retry-After real seconds up to 3 times - against real Xero too."""
    accounting, _, _ = sdk
    emulator.limits.configure(per_minute=3)
    for _ in range(3):
        accounting.get_organisations(DEMO_TENANT_ID)
    update = Contacts(contacts=[Contact(name="Rate Limited Pty Ltd")])
    with pytest.raises(RateLimitException) as caught:
        accounting.update_or_create_contacts(DEMO_TENANT_ID, update)
    assert caught.value.rate_limit == "minute"
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60
    emulator.clock.advance(60)
    assert accounting.update_or_create_contacts(DEMO_TENANT_ID, update).contacts


def test_expired_access_token_is_refreshed_through_getter_and_saver(
    sdk: tuple, emulator: XeroEmulator
) -> None:
    accounting, _, store = sdk
    old_access = store.token["access_token"]
    emulator.clock.advance(31 * 60)  # the emulator now refuses the old access token
    store.token["expires_at"] = time.time() - 1  # and the SDK knows it is stale
    assert accounting.get_organisations(DEMO_TENANT_ID).organisations
    assert store.saved == 1
    assert store.token["access_token"] != old_access
    assert store.token["expires_at"] > time.time() + timedelta(minutes=29).total_seconds()


# --- where Xero answers less, or refuses (RULES.md) -----------------------------------------
def test_the_sdk_gets_no_line_items_from_an_unpaged_invoice_list(sdk: tuple) -> None:
    accounting, _, _ = sdk
    unpaged = accounting.get_invoices(DEMO_TENANT_ID).invoices
    assert unpaged
    assert all(not invoice.line_items for invoice in unpaged)
    assert all(not invoice.contact.addresses for invoice in unpaged)  # summaries
    paged = accounting.get_invoices(DEMO_TENANT_ID, page=1).invoices
    assert all(invoice.line_items for invoice in paged if invoice.status != "DELETED")


def test_the_sdk_gets_xeros_refusals_for_bad_filters_and_long_id_lists(sdk: tuple) -> None:
    accounting, _, _ = sdk
    with pytest.raises(AccountingBadRequestException) as mistyped:
        accounting.get_contacts(DEMO_TENANT_ID, where='IsCustomer=="true"')
    assert mistyped.value.error_data["Type"] == "QueryParseException"
    with pytest.raises(AccountingBadRequestException) as unguarded:
        accounting.get_contacts(DEMO_TENANT_ID, where='EmailAddress.Contains("@")')
    assert "null guard" in unguarded.value.error_data["Message"]
    ids = [str(uuid.UUID(int=n + 1)) for n in range(51)]
    with pytest.raises(NotFoundException):
        accounting.get_invoices(DEMO_TENANT_ID, i_ds=ids)
