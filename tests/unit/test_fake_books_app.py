"""The in-repo test provider keeps the promises the syncers' tests rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.accounting import (
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
)
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from tests.support.fake_app import FakeApp


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> FakeApp:
    return FakeApp(clock=clock.now, page_size=2)


def invoice(contact_id: str, number: str, **changes) -> AppInvoice:
    fields = {
        "number": number,
        "contact_id": contact_id,
        "status": AppInvoiceStatus.APPROVED,
        "date": date(2026, 11, 20),
        "lines": [
            AppInvoiceLine(
                description="Call-out",
                quantity=Decimal(1),
                unit_amount=Decimal(100),
                account_code="200",
                tax_type="S10",
            )
        ],
    }
    return AppInvoice(**{**fields, **changes})


def test_writes_take_at_most_three_records(app: FakeApp):
    contact = app.add_contact("Cafe")
    with pytest.raises(ValueError, match="at most 3"):
        app.create_invoices([invoice(contact.id, f"N{i}") for i in range(4)], "k")
    assert app.calls["create_invoices"] == 0


def test_each_record_is_answered_in_order_with_a_typed_reason(app: FakeApp):
    contact = app.add_contact("Cafe")
    app.create_invoices([invoice(contact.id, "N1")], "k1")
    taken, draft, fine = app.create_invoices(
        [
            invoice(contact.id, "n1"),
            invoice(contact.id, "N2", status=AppInvoiceStatus.DRAFT),
            invoice(contact.id, "N3"),
        ],
        "k2",
    )
    assert taken.reason is WriteFailure.NUMBER_TAKEN
    assert draft.reason is WriteFailure.INVALID  # no drafts in this app
    assert fine.ok
    assert fine.record.total == Decimal("110.00")
    [long_name, same_name] = app.create_contacts(
        [AppContactDraft(name="A name of more than twenty"), AppContactDraft(name="Cafe")], "k3"
    )
    assert long_name.reason is WriteFailure.INVALID
    assert same_name.reason is WriteFailure.NAME_TAKEN


def test_pages_run_oldest_change_first_from_a_moment(app: FakeApp, clock: Clock):
    names = ["A", "B", "C", "D", "E"]
    for name in names:
        app.add_contact(name)
        clock.moment += timedelta(seconds=1)
    pages = list(app.contact_pages(None))
    assert [[c.name for c in page.records] for page in pages] == [["A", "B"], ["C", "D"], ["E"]]
    assert [page.last for page in pages] == [False, False, True]
    since = pages[1].records[0].updated_at  # C's second: C comes again
    assert [c.name for p in app.contact_pages(since) for c in p.records] == ["C", "D", "E"]


def test_a_lost_answer_still_applies_the_write(app: FakeApp):
    contact = app.add_contact("Cafe")
    app.lose_next_answer("create_invoices")
    with pytest.raises(ProviderUnavailable):
        app.create_invoices([invoice(contact.id, "N1")], "k")
    assert [i.number for i in app.sales_invoices()] == ["N1"]


def test_the_rate_budget_counts_down_and_a_call_past_it_is_refused(clock: Clock):
    app = FakeApp(clock=clock.now, calls_per_minute=2)
    assert app.rate_budget().calls_left == 2
    app.accounts()
    clock.moment += timedelta(seconds=20)
    app.tax_rates()
    assert app.rate_budget().calls_left == 0
    assert app.rate_budget().refill_seconds == 40
    with pytest.raises(RateLimited) as limited:
        app.accounts()
    assert limited.value.retry_after_seconds == 40
    clock.moment += timedelta(seconds=41)
    assert app.rate_budget().calls_left == 1
