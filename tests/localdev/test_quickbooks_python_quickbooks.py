"""Intuit's community Python client, python-quickbooks, unchanged against the emulator.

Its `api_url` is pointed at the emulator (the only setting a real app changes between
sandbox and production) and its session comes from intuit-oauth given the emulator's
discovery URL: OAuth, customers and items created, queried and updated, an invoice and
a payment against it, a batch, CDC, a stale SyncToken, a duplicate name and a 429, all
read back through the library's own objects and exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects.account import Account
from quickbooks.objects.base import LinkedTxn, Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.taxcode import TaxCode

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    qbo_emulator,
    qbo_server,
    query_of,
)

__all__ = ["qbo_emulator", "qbo_server"]  # fixtures used by name below


@pytest.fixture
def qb(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[QuickBooks]:
    # oauthlib's own switch for a local http:// server; the library's logic is untouched.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    auth_client = AuthClient(
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT_URI,
        environment=f"{qbo_server.url}/.well-known/openid-configuration",
    )
    url = auth_client.get_authorization_url([Scopes.ACCOUNTING])
    callback = query_of(qbo_emulator.consent(url, realm_id=DEMO_REALM_ID))
    auth_client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    client = QuickBooks(
        auth_client=auth_client,
        refresh_token=auth_client.refresh_token,
        company_id=callback["realmId"],
        minorversion=75,
    )
    client.api_url_v3 = f"{qbo_server.url}/v3"  # production's URL, pointed at the emulator
    yield client
    auth_client.close()


def _ref(value: str) -> Ref:
    ref = Ref()
    ref.value = value
    return ref


def _new_customer(name: str, email: str | None = None) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    if email is not None:
        customer.PrimaryEmailAddr = {"Address": email}
    return customer


def _gst(qb: QuickBooks) -> TaxCode:
    return TaxCode.filter(Name="GST", qb=qb)[0]


def test_customers_are_created_queried_and_updated(qb: QuickBooks) -> None:
    created = _new_customer("Coogee Surf Club", "treasurer@coogee-surf.example.com").save(qb=qb)

    found = Customer.filter(DisplayName="Coogee Surf Club", qb=qb)
    assert [c.Id for c in found] == [created.Id]
    assert found[0].PrimaryEmailAddr.Address == "treasurer@coogee-surf.example.com"
    assert created.SyncToken == "0"

    found[0].CompanyName = "Coogee Surf Life Saving Club Inc"
    updated = found[0].save(qb=qb)

    assert updated.SyncToken == "1"
    assert Customer.get(created.Id, qb=qb).CompanyName == "Coogee Surf Life Saving Club Inc"
    assert Customer.count(qb=qb) == 5  # the demo company's four, and this one


def test_items_are_created_on_an_income_account_and_queried(qb: QuickBooks) -> None:
    services = Account.filter(Name="Services", qb=qb)[0]
    item = Item()
    item.Name = "Hot water service"
    item.Type = "Service"
    item.UnitPrice = 180
    item.IncomeAccountRef = services.to_ref()
    item.SalesTaxCodeRef = _ref(_gst(qb).Id)

    saved = item.save(qb=qb)

    listed = Item.where("Name LIKE 'Hot water%'", qb=qb)
    assert [i.Id for i in listed] == [saved.Id]
    assert listed[0].IncomeAccountRef.value == services.Id
    assert listed[0].UnitPrice == 180


def test_an_invoice_gets_gst_and_a_payment_pays_it(qb: QuickBooks) -> None:
    customer = _new_customer("Randwick Dental").save(qb=qb)
    item = Item.filter(Name="Labour - standard hour", qb=qb)[0]
    line = SalesItemLine()
    line.Amount = 220
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    line.SalesItemLineDetail.Qty = 2
    line.SalesItemLineDetail.UnitPrice = 110
    line.SalesItemLineDetail.TaxCodeRef = _ref(_gst(qb).Id)
    invoice = Invoice()
    invoice.DocNumber = "L8-2001"
    invoice.CustomerRef = customer.to_ref()
    invoice.Line.append(line)

    saved = invoice.save(qb=qb)

    assert (saved.TotalAmt, saved.Balance, saved.TxnTaxDetail.TotalTax) == (242, 242, 22)
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = 242
    payment_line = PaymentLine()
    payment_line.Amount = 242
    link = LinkedTxn()
    link.TxnId = saved.Id
    link.TxnType = "Invoice"
    payment_line.LinkedTxn.append(link)
    payment.Line.append(payment_line)

    paid = payment.save(qb=qb)

    assert paid.DepositToAccountRef.name == "Undeposited Funds"
    reread = Invoice.get(saved.Id, qb=qb)
    assert reread.Balance == 0
    assert [(t.TxnId, t.TxnType) for t in reread.LinkedTxn] == [(paid.Id, "Payment")]


def test_a_batch_answers_each_item_and_faults_only_the_duplicate(qb: QuickBooks) -> None:
    customers = [_new_customer(f"Batch Customer {n}") for n in range(3)]
    customers.append(_new_customer("Bondi Beach Cafe"))  # taken by the demo company

    result = batch_create(customers, qb=qb)

    assert sorted(c.DisplayName for c in result.successes) == [
        "Batch Customer 0",
        "Batch Customer 1",
        "Batch Customer 2",
    ]
    assert len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    assert result.faults[0].original_object.DisplayName == "Bondi Beach Cafe"


def test_change_data_capture_reports_what_changed_since(
    qb: QuickBooks, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.clock.advance(60)  # past the demo data
    since = qbo_emulator.clock.now() - timedelta(seconds=1)
    changed = _new_customer("Changed Since Pty Ltd").save(qb=qb)

    answer = change_data_capture([Customer, Invoice], since.isoformat(), qb=qb)

    assert [c.Id for c in answer.Customer] == [changed.Id]
    assert not hasattr(answer, "Invoice")  # nothing changed there


def test_a_stale_sync_token_is_refused_with_5010(qb: QuickBooks) -> None:
    first = Customer.filter(DisplayName="Jane Nguyen", qb=qb)[0]
    second = Customer.get(first.Id, qb=qb)
    first.Notes = "Prefers morning visits"
    first.save(qb=qb)
    second.Notes = "Gate code 1234"

    with pytest.raises(QuickbooksException) as refused:
        second.save(qb=qb)

    assert refused.value.error_code == 5010
    assert refused.value.message == "Stale Object Error"
    assert Customer.get(first.Id, qb=qb).Notes == "Prefers morning visits"


def test_a_duplicate_display_name_is_refused_with_6240(qb: QuickBooks) -> None:
    with pytest.raises(QuickbooksException) as refused:
        _new_customer("bondi beach cafe").save(qb=qb)

    assert refused.value.error_code == 6240
    assert refused.value.message == "Duplicate Name Exists Error"


def test_over_the_minute_limit_the_client_sees_throttle_exceeded(
    qb: QuickBooks, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.limits.configure(per_minute=3)
    for _ in range(3):
        Customer.count(qb=qb)

    with pytest.raises(ValidationException) as refused:
        Customer.count(qb=qb)

    assert refused.value.error_code == 3001
    assert "ThrottleExceeded" in refused.value.message
    qbo_emulator.clock.advance(60)
    assert Customer.count(qb=qb) == 4


def test_the_librarys_void_and_delete_reach_the_emulator(qb: QuickBooks) -> None:
    customer = _new_customer("Void And Delete Pty Ltd").save(qb=qb)
    item = Item.filter(Name="Call-out fee", qb=qb)[0]
    invoices = []
    for number in ("VD-1", "VD-2"):
        line = SalesItemLine()
        line.Amount = 85
        line.SalesItemLineDetail = SalesItemLineDetail()
        line.SalesItemLineDetail.ItemRef = item.to_ref()
        line.SalesItemLineDetail.Qty = 1
        line.SalesItemLineDetail.UnitPrice = 85
        line.SalesItemLineDetail.TaxCodeRef = _ref(_gst(qb).Id)
        invoice = Invoice()
        invoice.DocNumber = number
        invoice.CustomerRef = customer.to_ref()
        invoice.Line.append(line)
        invoices.append(invoice.save(qb=qb))
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = 93.5
    payment_line = PaymentLine()
    payment_line.Amount = 93.5
    link = LinkedTxn()
    link.TxnId = invoices[1].Id
    link.TxnType = "Invoice"
    payment_line.LinkedTxn.append(link)
    payment.Line.append(payment_line)
    paid = payment.save(qb=qb)

    invoices[0].void(qb=qb)
    paid.void(qb=qb)
    Payment.get(paid.Id, qb=qb).delete(qb=qb)
    Invoice.get(invoices[1].Id, qb=qb).delete(qb=qb)

    voided = Invoice.get(invoices[0].Id, qb=qb)
    assert (voided.TotalAmt, voided.Balance, voided.PrivateNote) == (0, 0, "Voided")
    assert [i.DocNumber for i in Invoice.filter(CustomerRef=customer.Id, qb=qb)] == ["VD-1"]
    assert Payment.filter(CustomerRef=customer.Id, qb=qb) == []
