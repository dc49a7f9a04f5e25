"""A job's first call answers its settings and every domain's changes: the change feed's
question (Change Data Capture) rides in the settings batch as a CDCQuery item, asked
from where the run's earliest pass starts, whichever of the two reads comes first. A
write makes that answer stale, and a start older than CDC's window is read with queries.
Every assertion is on what the adapter answers and the calls the emulator counted."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.accounting import AppContactDraft
from localdev.quickbooks.accounting.demo import seed_customers
from tests.support.quickbooks_provider import Connected
from tests.support.quickbooks_provider import qbo_connected as qbo_connected

CDC = "GET /v3/company/{realm_id}/cdc"
QUERY = "GET /v3/company/{realm_id}/query"
BATCH = "POST /v3/company/{realm_id}/batch"


def _calls(connected: Connected) -> dict[str, int]:
    return dict(connected.emulator.calls)


def _spent(before: dict[str, int], connected: Connected) -> dict[str, int]:
    after = _calls(connected)
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _company(connected: Connected):
    company = connected.emulator.companies.company(connected.realm_id)
    assert company is not None
    return company


def _names(pages) -> list[str]:
    return [c.name for page in pages for c in page.records]


def test_the_settings_read_carries_the_change_feed_from_the_runs_earliest_start(qbo_connected):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=2))
    earliest = clock.now() - timedelta(minutes=5)
    [made] = connected.app().create_contacts([AppContactDraft(name="Tamarama Surf Club")], "k")
    assert made.ok
    connected.advance(timedelta(minutes=2))
    app = connected.app()
    app.expect_changes_since(earliest)
    before = _calls(connected)
    read_before = clock.now()
    assert app.tax_rates()  # the tax-rates step runs first
    assert _spent(before, connected) == {BATCH: 1}
    clock.advance(30)  # the other steps read a little later
    contacts = list(app.contact_pages(earliest))
    later_passes = [
        list(app.item_pages(earliest + timedelta(seconds=2))),
        list(app.invoice_pages(earliest + timedelta(seconds=3))),
        list(app.payment_pages(earliest + timedelta(seconds=4))),
    ]
    assert _names(contacts) == ["Tamarama Surf Club"]
    assert [page.read_at for page in contacts] == [read_before]
    for pages in later_passes:
        assert [(page.records, page.read_at) for page in pages] == [([], read_before)]
    assert app.accounts()
    assert _spent(before, connected) == {BATCH: 1}


def test_a_change_feed_read_before_the_settings_fetches_them_in_the_same_call(qbo_connected):
    # The tax-rates step is off: the customers pass reads first.
    connected = qbo_connected
    connected.advance(timedelta(hours=2))
    since = connected.emulator.clock.now() - timedelta(minutes=1)
    app = connected.app()
    app.expect_changes_since(since)
    before = _calls(connected)
    [page] = list(app.contact_pages(since))
    assert page.records == []
    assert page.read_at is not None
    assert app.tax_rates()
    assert app.accounts()
    assert not app.automated_sales_tax()
    assert _spent(before, connected) == {BATCH: 1}


def test_a_job_whose_first_call_was_combined_still_sees_a_change_after_its_writes(
    qbo_connected,
):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=2))
    since = clock.now() - timedelta(minutes=1)
    app = connected.app()
    app.expect_changes_since(since)
    assert app.tax_rates()
    [quiet] = list(app.contact_pages(since))
    assert quiet.records == []
    [made] = app.create_contacts([AppContactDraft(name="Clovelly Kiosk")], "k-write")
    assert made.ok
    connected.advance(timedelta(seconds=5))
    [elsewhere] = connected.app().create_contacts(
        [AppContactDraft(name="Maroubra Bakery")], "k-other"
    )
    assert elsewhere.ok
    connected.advance(timedelta(seconds=5))
    before = _calls(connected)
    read_before = clock.now()
    [page] = list(app.contact_pages(since))
    assert sorted(c.name for c in page.records) == ["Clovelly Kiosk", "Maroubra Bakery"]
    assert page.read_at == read_before
    # The settings are the job's still; only the stale change feed is asked again.
    assert app.tax_rates()
    assert _spent(before, connected) == {CDC: 1}


def test_a_start_older_than_the_change_feeds_window_is_read_with_queries(qbo_connected):
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(days=40))
    old = clock.now() - timedelta(days=31)
    app = connected.app()
    app.expect_changes_since(old)
    before = _calls(connected)
    assert app.tax_rates()
    [page] = list(app.contact_pages(old))
    assert page.records == []
    assert page.read_at is None  # paged with queries, not read from the feed
    assert _spent(before, connected) == {BATCH: 1, QUERY: 1}
    # A pass whose own start is recent still reads the feed, from its own start.
    [recent] = list(app.item_pages(clock.now() - timedelta(minutes=1)))
    assert recent.read_at is not None
    assert _spent(before, connected) == {BATCH: 1, QUERY: 1, CDC: 1}


def test_an_import_reads_no_change_feed_with_its_settings(qbo_connected):
    connected = qbo_connected
    app = connected.app()
    app.expect_changes_since(None)  # a pass starts from the beginning
    before = _calls(connected)
    assert app.tax_rates()
    pages = list(app.contact_pages(None))
    assert len(_names(pages)) == 4  # the demo company's customers
    assert _spent(before, connected) == {BATCH: 1, QUERY: 1}


def test_a_burst_of_changes_before_the_runs_earliest_start_leaves_the_feed_one_call(
    qbo_connected,
):
    # 1,200 customers changed four minutes before the run's earliest start: asked from
    # further back, the answer would reach CDC's 1,000 and every pass would page with
    # queries instead.
    connected = qbo_connected
    clock = connected.emulator.clock
    connected.advance(timedelta(hours=1))
    seed_customers(_company(connected), 1200, clock.now())
    clock.advance(4 * 60)
    earliest = clock.now()
    clock.advance(2 * 60)
    app = connected.app()
    app.expect_changes_since(earliest)
    before = _calls(connected)
    [contacts] = list(app.contact_pages(earliest))
    [items] = list(app.item_pages(earliest + timedelta(seconds=1)))
    assert (contacts.records, items.records) == ([], [])
    assert contacts.read_at is not None
    assert _spent(before, connected) == {BATCH: 1}
