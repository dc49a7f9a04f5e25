"""The paging walker: every changed record handed on, none skipped by an edit mid-walk,
the next start judged at read time, and a page held when an outcome is unknown."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounting import AppContactDraft
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.loc8 import Page
from chalicelib.domain.sync_config import SyncConfig
from chalicelib.domain.sync_run import RunTrigger, SyncRun
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.paging import walk_app_pages, walk_loc8_pages
from tests.support.fake_app import FakeApp
from tests.support.fakes import FakeClock, FakeLoc8, MemoryCursors, loc8_line_item

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
POSITION = "contacts#test"


def context_for(app: FakeApp, clock: FakeClock, cursors: MemoryCursors) -> SyncContext:
    integration = Integration(
        tenant_id="t",
        app="xero",
        status=IntegrationStatus.ACTIVE,
        created_at=START,
        updated_at=START,
        organisation=Organisation(id="o1", name="One", connection_id="c1"),
    )
    return SyncContext(
        integration=integration,
        config=SyncConfig.model_validate({"sync": {"customers": True}}),
        run=SyncRun.queue(integration.id, "t", RunTrigger.MANUAL, START),
        app=app,
        loc8=FakeLoc8(),
        cursors=cursors,
        links=None,  # type: ignore[arg-type]  # the walker keeps no links
        clock=clock,
        remaining_time=lambda: timedelta(minutes=10),
    )


class Walk:
    """Walks of one app's contacts, remembering what each handed on."""

    def __init__(self, page_size: int = 3) -> None:
        self.clock = FakeClock(START)
        self.app = FakeApp(clock=self.clock.now, page_size=page_size)
        self.cursors = MemoryCursors()
        self.context = context_for(self.app, self.clock, self.cursors)
        self.handed: list[str] = []
        self.during_page: dict[int, object] = {}

    def run(self) -> list[str]:
        handed: list[str] = []
        pages = 0

        def handle(records: list) -> None:
            nonlocal pages
            pages += 1
            handed.extend(r.name for r in records)
            action = self.during_page.pop(pages, None)
            if callable(action):
                action()

        walk_app_pages(self.context, POSITION, self.app.contact_pages, handle)
        self.handed += handed
        return handed

    def edit(self, name: str) -> None:
        [contact] = [c for c in self.app.contacts.values() if c.name == name]
        draft = AppContactDraft(id=contact.id, name=name, email=f"new-{name}@example.com")
        [result] = self.app.update_contacts([draft], idempotency_key=f"edit-{name}")
        assert result.ok


def test_every_record_is_handed_on_once():
    walk = Walk()
    for n in range(7):
        walk.app.add_contact(f"c{n}")
    assert sorted(walk.run()) == [f"c{n}" for n in range(7)]
    assert walk.run() == []


def test_an_edit_between_pages_of_one_second_skips_no_record():
    walk = Walk()
    for n in range(7):  # three pages, all changed within the same second
        walk.app.add_contact(f"c{n}")

    def edit_an_early_record() -> None:
        # c0 was on the first page; it moves to the end and everything moves up one.
        walk.clock.advance(seconds=1)
        walk.edit("c0")

    walk.during_page[3] = edit_an_early_record  # while the second's pages are walked by number
    walk.run()

    counts = Counter(walk.handed)
    assert set(counts) == {f"c{n}" for n in range(7)}
    assert counts["c0"] == 2  # before and after its edit
    assert all(counts[f"c{n}"] == 1 for n in range(1, 7))


def test_a_write_landing_in_the_last_second_read_is_seen_by_the_next_pass():
    walk = Walk()
    walk.app.add_contact("first")
    [first] = walk.app.contacts.values()
    newest = first.updated_at

    def slow_work_and_a_late_write() -> None:
        walk.clock.advance(minutes=5)  # the pass is slow: the read was long before now
        late = walk.app.add_contact("late")
        walk.app.contacts[late.id] = late.model_copy(update={"updated_at": newest})

    walk.during_page[1] = slow_work_and_a_late_write
    assert walk.run() == ["first"]
    assert walk.run() == ["late"]


def test_a_settled_second_is_not_read_again():
    walk = Walk()
    walk.app.add_contact("old")
    walk.clock.advance(minutes=5)
    assert walk.run() == ["old"]
    assert walk.run() == []
    assert walk.app.calls["contact_pages"] == 2  # one page per pass


def test_a_page_whose_outcome_is_unknown_is_read_again_next_time():
    walk = Walk()
    for n in range(2):
        walk.app.add_contact(f"c{n}")
    seen: list[list[str]] = []

    def unsure(records: list) -> bool:
        seen.append([r.name for r in records])
        return False

    walk_app_pages(walk.context, POSITION, walk.app.contact_pages, unsure)
    assert walk.cursors.writes == 0
    assert sorted(walk.run()) == ["c0", "c1"]
    assert seen == [["c0", "c1"]]


def loc8_pages(items: list, size: int):
    def fetch(since, cursor):
        start = int(cursor or 0)
        fresh = [i for i in items if since is None or i.updated_at >= since]
        while start < len(fresh):
            end = start + size
            yield Page(items=fresh[start:end], next_cursor=str(end) if end < len(fresh) else None)
            start = end

    return fetch


def test_the_loc8_walk_holds_the_page_it_could_not_finish():
    walk = Walk()
    items = [loc8_line_item(f"li_{n}", f"C{n}", f"Item {n}") for n in range(5)]
    fetch = loc8_pages(items, size=2)
    handed: list[list[str]] = []

    def unsure_about_the_second_page(page: list) -> bool:
        handed.append([i.id for i in page])
        return len(handed) != 2

    walk_loc8_pages(walk.context, "items#loc8", fetch, unsure_about_the_second_page)
    walk_loc8_pages(
        walk.context, "items#loc8", fetch, lambda page: handed.append([i.id for i in page])
    )

    assert handed == [
        ["li_0", "li_1"],
        ["li_2", "li_3"],  # unsure: the walk stops here
        ["li_2", "li_3"],  # and starts here next time
        ["li_4"],
    ]
