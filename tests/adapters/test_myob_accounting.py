"""The MYOB provider's AccountRight adapter against the MYOB emulator: reads page over
NextPageLink and cost a 304 when nothing changed; each record is its own request (201
and Location for a create); updates carry the RowVersion and re-read a stale one once;
MYOB's refusals come back typed per record; the per-key limits defer or pace the job;
a create whose reply was lost is found again by its natural key, so it is made once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from chalicelib.adapters.providers.myob.etags import EtagCache
from chalicelib.adapters.providers.myob.limits import SHARED_PER_SECOND, SHARED_RATE, Pacer
from chalicelib.domain.accounting import (
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    AppItem,
    AppPaymentDraft,
)
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.call_budget import take as take_calls
from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from localdev.emukit import Fault, serve_in_thread
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobLimits
from tests.support.myob_emulator_fixtures import new_emulator
from tests.support.myob_provider import Connected, connect_file
from tests.support.myob_provider import myob_connected as myob_connected

CUSTOMERS = "GET /accountright/{cf}/Contact/Customer"
CUSTOMER_PUT = "PUT /accountright/{cf}/Contact/Customer/{uid}"


def _by(records: list[dict], field: str) -> dict[str, dict]:
    return {str(r[field]): r for r in records}


def _customer_uid(connected: Connected, display_id: str) -> str:
    return str(_by(connected.records("Contact/Customer"), "DisplayID")[display_id]["UID"])


def _invoice(number: str, contact_id: str, lines: list[AppInvoiceLine]) -> AppInvoice:
    return AppInvoice(
        number=number,
        contact_id=contact_id,
        status=AppInvoiceStatus.APPROVED,
        date=date(2026, 11, 30),
        due_date=date(2026, 12, 14),
        reference="Job 4411",
        url="https://app.loc8.test/invoices/inv-1",
        lines=lines,
    )


# --- reads ----------------------------------------------------------------------------


def test_an_import_follows_next_page_link_a_thousand_at_a_time(myob_connected: Connected):
    myob_connected.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 2497)  # 2,500 with the demo's
    before = myob_connected.emulator.calls[CUSTOMERS]

    pages = list(myob_connected.app().contact_pages(None))

    assert [(p.page, len(p.records), p.last) for p in pages] == [
        (1, 1000, False),
        (2, 1000, False),
        (3, 500, True),
    ]
    assert len({c.id for p in pages for c in p.records}) == 2500
    assert myob_connected.emulator.calls[CUSTOMERS] - before == 3


def test_a_resumed_walk_starts_at_its_page(myob_connected: Connected):
    myob_connected.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 1497)
    app = myob_connected.app()
    first = [c.id for c in next(iter(app.contact_pages(None))).records]

    second = next(iter(app.contact_pages(None, start_page=2)))

    assert (second.page, len(second.records), second.last) == (2, 500, True)
    assert not set(first) & {c.id for c in second.records}


def test_changes_are_read_from_the_second_they_were_made_oldest_first(
    myob_connected: Connected,
):
    emulator = myob_connected.emulator
    emulator.clock.advance(3600)
    since = emulator.clock.now()
    app = myob_connected.app()
    app.create_contacts([AppContactDraft(name="Later Pty Ltd")], "unused")
    emulator.clock.advance(5)
    app.create_contacts([AppContactDraft(name="Latest Pty Ltd")], "unused")

    [page] = list(myob_connected.app().contact_pages(since))

    assert [c.name for c in page.records] == ["Later Pty Ltd", "Latest Pty Ltd"]
    assert page.records[0].updated_at is not None
    assert page.records[0].updated_at >= since.replace(microsecond=0)


def test_a_read_of_an_unchanged_list_costs_a_304(myob_connected: Connected):
    etags = EtagCache()
    first = myob_connected.app(etags=etags)
    rates = first.tax_rates()
    second = myob_connected.app(etags=etags)

    again = second.tax_rates()

    assert again == rates
    assert (first.client.not_modified, second.client.not_modified) == (0, 1)
    assert {r.code: r.rate for r in rates}["GST"] == Decimal("10")


def test_a_changed_list_is_read_again_not_served_from_its_etag(myob_connected: Connected):
    etags = EtagCache()
    names = {c.name for p in myob_connected.app(etags=etags).contact_pages(None) for c in p.records}
    myob_connected.app(etags=etags).create_contacts([AppContactDraft(name="New Co")], "unused")

    reader = myob_connected.app(etags=etags)
    again = {c.name for p in reader.contact_pages(None) for c in p.records}

    assert again == names | {"New Co"}
    assert reader.client.not_modified == 0


def test_settings_come_in_the_cores_terms(myob_connected: Connected):
    accounts = {a.code: a for a in myob_connected.app().accounts()}

    assert accounts["4-1000"].takes_sales
    assert accounts["1-1110"].accepts_payments
    assert not accounts["4-1000"].accepts_payments
    assert "4-0000" not in accounts  # a header account: nothing posts to it


# --- writes ---------------------------------------------------------------------------


def test_a_create_is_one_request_answered_201_with_the_records_location(
    myob_connected: Connected,
):
    app = myob_connected.app()

    [result] = app.create_contacts(
        [AppContactDraft(name="Bayside Dental", email="accounts@bayside.test", phone="02 9999")],
        "unused",
    )

    assert result.ok
    assert result.record is not None
    held = _by(myob_connected.records("Contact/Customer"), "UID")[result.record.id]
    assert held["CompanyName"] == "Bayside Dental"
    assert held["Addresses"][0]["Email"] == "accounts@bayside.test"
    assert held["Addresses"][0]["Phone1"] == "02 9999"
    assert myob_connected.emulator.calls["POST /accountright/{cf}/Contact/Customer"] == 1


def test_an_update_replaces_only_what_loc8_owns(myob_connected: Connected):
    uid = _customer_uid(myob_connected, "CUS000002")

    [result] = myob_connected.app().update_contacts(
        [AppContactDraft(id=uid, name="Greenleaf Cafe", email="hi@greenleaf.test")], "unused"
    )

    assert result.ok, result.errors
    held = _by(myob_connected.records("Contact/Customer"), "UID")[uid]
    assert (held["CompanyName"], held["DisplayID"]) == ("Greenleaf Cafe", "CUS000002")
    assert held["Addresses"][0]["Email"] == "hi@greenleaf.test"
    assert held["SellingDetails"]["TaxCode"]["Code"] == "GST"


class _ChangesBehindEachPut(requests.Session):
    """Someone edits the card in MYOB just before each of our PUTs lands (`times` of
    them), so the RowVersion we send is stale."""

    def __init__(self, connected: Connected, uid: str, times: int) -> None:
        super().__init__()
        self._connected = connected
        self._uid = uid
        self._left = times

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if method == "PUT" and self._left > 0:
            self._left -= 1
            books = self._connected.emulator.books(DEMO_COMPANY_FILE_ID)
            with books.lock:
                books.touch(books.find("Contact/Customer", self._uid))
        return super().request(method, url, *args, **kwargs)


def test_a_stale_row_version_is_read_again_and_the_update_tried_once_more(
    myob_connected: Connected,
):
    uid = _customer_uid(myob_connected, "CUS000001")
    app = myob_connected.app(session=_ChangesBehindEachPut(myob_connected, uid, times=1))

    [result] = app.update_contacts([AppContactDraft(id=uid, name="Harbour View")], "unused")

    assert result.ok, result.errors
    assert _by(myob_connected.records("Contact/Customer"), "UID")[uid]["CompanyName"] == (
        "Harbour View"
    )
    assert myob_connected.emulator.calls[CUSTOMER_PUT] == 2


def test_a_record_that_keeps_changing_is_reported_stale_after_one_retry(
    myob_connected: Connected,
):
    uid = _customer_uid(myob_connected, "CUS000001")
    app = myob_connected.app(session=_ChangesBehindEachPut(myob_connected, uid, times=5))

    [result] = app.update_contacts([AppContactDraft(id=uid, name="Harbour View")], "unused")

    assert (result.ok, result.reason) == (False, WriteFailure.STALE_VERSION)
    assert myob_connected.emulator.calls[CUSTOMER_PUT] == 2
    held = _by(myob_connected.records("Contact/Customer"), "UID")[uid]
    assert held["CompanyName"] == "Harbour View Apartments"


def test_taken_card_ids_item_numbers_and_invoice_numbers_are_typed(myob_connected: Connected):
    app = myob_connected.app()
    customer = _customer_uid(myob_connected, "CUS000001")

    [card] = app.create_contacts(
        [AppContactDraft(name="Another Co", contact_number="cus000001")], "unused"
    )
    [item] = app.save_items(
        [AppItem(code="svc-hour", name="Labour again", account_code="4-1000")], "unused"
    )
    line = AppInvoiceLine(
        description="Labour", quantity=Decimal(1), unit_amount=Decimal(100), account_code="4-1000"
    )
    first, second = app.create_invoices(
        [_invoice("L8-0001", customer, [line]), _invoice("L8-0001", customer, [line])], "unused"
    )

    assert (card.reason, item.reason) == (WriteFailure.NAME_TAKEN, WriteFailure.NAME_TAKEN)
    assert first.ok
    assert (second.ok, second.reason) == (False, WriteFailure.NUMBER_TAKEN)
    assert "already in use" in second.errors[0]


def test_what_myob_cannot_hold_is_reported_for_that_record_alone(myob_connected: Connected):
    app = myob_connected.app()
    customer = _customer_uid(myob_connected, "CUS000001")
    good = AppInvoiceLine(
        description="Labour", quantity=Decimal(1), unit_amount=Decimal(80), account_code="4-1000"
    )
    unknown_account = good.model_copy(update={"account_code": "9-9999"})

    results = app.create_invoices(
        [
            _invoice("L8-0002", customer, [unknown_account]),
            _invoice("L8-0003", customer, [good]),
        ],
        "unused",
    )
    [long_item] = app.save_items(
        [AppItem(code="X" * 31, name="Too long a number", account_code="4-1000")], "unused"
    )

    assert [(r.ok, r.reason) for r in results] == [(False, WriteFailure.INVALID), (True, None)]
    assert "no account 9-9999" in results[0].errors[0]
    assert (long_item.ok, long_item.reason) == (False, WriteFailure.INVALID)
    numbers = {
        r["Number"]
        for r in myob_connected.emulator.records(DEMO_COMPANY_FILE_ID, "Sale/Invoice/Service")
    }
    assert numbers == {"L8-0003"}


def test_items_are_created_and_updated_with_their_row_version(myob_connected: Connected):
    app = myob_connected.app()
    [created] = app.save_items(
        [
            AppItem(
                code="PART-VALVE",
                name="Ball valve",
                unit_price=Decimal("42.50"),
                account_code="4-2000",
            )
        ],
        "unused",
    )
    assert created.ok
    assert created.record is not None
    changed = created.record.model_copy(update={"unit_price": Decimal("45"), "name": "Valve"})

    [updated] = myob_connected.app().save_items([changed], "unused")

    assert updated.ok, updated.errors
    held = _by(myob_connected.records("Inventory/Item"), "Number")["PART-VALVE"]
    assert (held["Name"], held["SellingDetails"]["BaseSellingPrice"]) == ("Valve", 45.0)
    assert held["IncomeAccount"]["DisplayID"] == "4-2000"
    assert held["SellingDetails"]["TaxCode"]["Code"] == "GST"  # the account's own code
    assert {i.code for i in myob_connected.app().items()} >= {"PART-VALVE", "SVC-HOUR"}


def test_invoices_take_the_item_layout_when_every_line_sells_an_item(myob_connected: Connected):
    app = myob_connected.app()
    customer = _customer_uid(myob_connected, "CUS000002")
    item_line = AppInvoiceLine(
        description="Labour",
        quantity=Decimal(2),
        unit_amount=Decimal(120),
        item_code="SVC-HOUR",
        tax_type="GST",
    )
    service_line = AppInvoiceLine(
        description="Parts at cost",
        quantity=Decimal(3),
        unit_amount=Decimal("10.10"),
        account_code="4-2000",
        tax_type="FRE",
    )

    by_items, by_service = app.create_invoices(
        [
            _invoice("L8-0100", customer, [item_line]),
            _invoice("L8-0101", customer, [item_line, service_line]),
        ],
        "unused",
    )

    assert by_items.ok, by_items.errors
    assert by_service.ok, by_service.errors
    [held_item] = myob_connected.records("Sale/Invoice/Item")
    [held_service] = myob_connected.records("Sale/Invoice/Service")
    assert (held_item["Number"], held_item["TotalAmount"]) == ("L8-0100", 264.0)
    assert (held_service["Number"], held_service["TotalAmount"]) == ("L8-0101", 294.3)
    assert held_service["Lines"][1]["Total"] == 30.3
    assert by_service.record is not None
    assert by_service.record.total == Decimal("294.3")
    assert by_service.record.url == "https://app.loc8.test/invoices/inv-1"
    assert by_service.record.due_date == date(2026, 12, 14)
    read = {i.number: i for p in myob_connected.app().invoice_pages(None) for i in p.records}
    assert read["L8-0100"].lines[0].item_code == "SVC-HOUR"
    assert read["L8-0100"].lines[0].quantity == Decimal(2)


def test_a_payment_is_recorded_on_its_invoice_and_listed_with_it(myob_connected: Connected):
    app = myob_connected.app()
    customer = _customer_uid(myob_connected, "CUS000001")
    line = AppInvoiceLine(
        description="Labour", quantity=Decimal(1), unit_amount=Decimal(100), account_code="4-1000"
    )
    [made] = app.create_invoices([_invoice("L8-0200", customer, [line])], "unused")
    assert made.record is not None
    assert made.record.id is not None

    [paid] = myob_connected.app().create_payments(
        [
            AppPaymentDraft(
                invoice_id=made.record.id,
                account_code="1-1110",
                amount=Decimal(110),
                date=date(2026, 12, 1),
                reference="EFT 991",
            )
        ],
        "unused",
    )

    assert paid.ok, paid.errors
    assert paid.record is not None
    [invoice] = myob_connected.app().get_invoices([made.record.id])
    assert invoice.status is AppInvoiceStatus.PAID
    assert [(p.id, p.amount, p.reference) for p in invoice.payments] == [
        (paid.record.id, Decimal(110), "EFT 991")
    ]
    [page] = list(myob_connected.app().payment_pages(None))
    assert [p.invoice_id for p in page.records] == [made.record.id]


def test_a_loc8_void_deletes_the_myob_sale(myob_connected: Connected):
    app = myob_connected.app()
    customer = _customer_uid(myob_connected, "CUS000001")
    line = AppInvoiceLine(
        description="Labour", quantity=Decimal(1), unit_amount=Decimal(100), account_code="4-1000"
    )
    [made] = app.create_invoices([_invoice("L8-0300", customer, [line])], "unused")
    assert made.record is not None

    [gone] = myob_connected.app().update_invoices(
        [made.record.model_copy(update={"status": AppInvoiceStatus.DELETED})], "unused"
    )

    assert gone.ok
    assert gone.record is not None
    assert gone.record.status is AppInvoiceStatus.DELETED
    assert myob_connected.records("Sale/Invoice/Service") == []


# --- limits and lost replies ----------------------------------------------------------


def test_a_rate_refusal_defers_the_job_and_empties_the_budget():
    emulator = new_emulator(MyobLimits(per_second=3))
    with serve_in_thread(emulator.app) as server:
        connected = connect_file(emulator, server)
        app = connected.app()
        app.tax_rates()
        app.accounts()
        with pytest.raises(RateLimited) as refused:
            app.items()  # the emulator's clock stands still: the second is spent

    assert refused.value.problem == "per-second"
    assert app.rate_budget().calls_left == 0


def test_the_daily_cap_defers_the_job_for_an_hour_not_a_second():
    emulator = new_emulator(MyobLimits(per_second=100_000, per_day=2))
    with serve_in_thread(emulator.app) as server:
        connected = connect_file(emulator, server)  # the first call of the day
        app = connected.app()
        app.tax_rates()
        with pytest.raises(RateLimited) as refused:
            app.accounts()

    assert refused.value.problem == "daily"
    assert refused.value.retry_after_seconds == 3600
    assert app.rate_budget().refill_seconds > 3500


def test_paced_calls_are_never_refused_at_eight_a_second():
    """The pacer drawing on the shared budget's rule (as one DynamoDB item holds it)."""
    emulator = new_emulator(MyobLimits(per_second=8))
    arrival: list[datetime | None] = [None]

    def take() -> float:
        granted = take_calls(arrival[0], emulator.clock.now(), 1, SHARED_RATE)
        if granted.granted_until is not None:
            arrival[0] = granted.granted_until
        return granted.wait_seconds

    def wait(seconds: float) -> None:
        emulator.clock.advance(seconds)

    with serve_in_thread(emulator.app) as server:
        connected = connect_file(emulator, server)
        emulator.clock.advance(1.0)  # the connect's own call is out of the window
        pacer = Pacer(take, sleep=wait)
        for _ in range(20):
            connected.app(pacer=pacer).accounts()  # a fresh adapter: one read each

    # 20 calls at the shared pace (6 a second, two under MYOB's 8) span 19 sixths.
    assert pacer.slept == pytest.approx(19 / SHARED_PER_SECOND, abs=1e-4)  # microseconds
    assert emulator.calls["GET /accountright/{cf}/GeneralLedger/Account"] == 20


def test_a_customer_whose_create_reply_was_lost_is_found_by_name_not_made_twice(
    myob_connected: Connected,
):
    myob_connected.emulator.faults.add_fault(
        Fault(method="POST", path="/accountright/{cf}/Contact/Customer", mode="commit_then_drop")
    )
    with pytest.raises(ProviderUnavailable):
        myob_connected.app().create_contacts([AppContactDraft(name="Lost Reply Co")], "k1")

    # The next run looks the customer up before creating it (the core's customers step).
    found = myob_connected.app().find_contacts(names=["Lost Reply Co"], emails=[])

    assert [c.name for c in found] == ["Lost Reply Co"]
    held = [
        r for r in myob_connected.records("Contact/Customer") if r["CompanyName"] == "Lost Reply Co"
    ]
    assert len(held) == 1
    assert held[0]["UID"] == found[0].id


def test_an_invoice_whose_create_reply_was_lost_is_found_by_number(myob_connected: Connected):
    customer = _customer_uid(myob_connected, "CUS000001")
    line = AppInvoiceLine(
        description="Labour", quantity=Decimal(1), unit_amount=Decimal(100), account_code="4-1000"
    )
    myob_connected.emulator.faults.add_fault(
        Fault(
            method="POST",
            path="/accountright/{cf}/Sale/Invoice/Service",
            mode="commit_then_drop",
        )
    )
    with pytest.raises(ProviderUnavailable):
        myob_connected.app().create_invoices([_invoice("L8-0400", customer, [line])], "k1")

    [found] = myob_connected.app().find_invoices(["L8-0400"])

    assert found.total == Decimal(110)
    assert [r["Number"] for r in myob_connected.records("Sale/Invoice/Service")] == ["L8-0400"]


def test_individuals_are_read_and_found_by_first_and_last_name(myob_connected: Connected):
    found = myob_connected.app().find_contacts(names=["Priya Shah", "Nobody Here"], emails=[])

    assert [c.name for c in found] == ["Priya Shah"]


def test_expired_access_tokens_are_refreshed_once_and_the_call_retried(
    myob_connected: Connected,
):
    myob_connected.emulator.clock.advance(timedelta(minutes=21).total_seconds())

    assert myob_connected.app().tax_rates()
    assert len(myob_connected.refreshes) == 1


def test_bank_accounts_are_told_from_credit_cards_both_taking_payments():
    from chalicelib.adapters.providers.myob.mappers import account_from_myob

    def account(display_id: str, kind: str) -> dict:
        return {"DisplayID": display_id, "Name": kind, "Type": kind, "Classification": "Asset"}

    bank, card = (
        account_from_myob(account("1-1110", "Bank")),
        account_from_myob(account("2-1110", "CreditCard")),
    )
    assert bank is not None
    assert card is not None
    assert (bank.accepts_payments, bank.is_bank) == (True, True)
    assert (card.accepts_payments, card.is_bank) == (True, False)
