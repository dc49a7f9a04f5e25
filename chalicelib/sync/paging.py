"""The one way a syncer walks pages of changes, on the app's side and on Loc8's.

Both walks save their position after every page they finish, so a job cut short
(rate limit, Lambda time) resumes where it stopped, and both let the page's handler
hold the position: a handler that answers `False` could not learn the outcome of
some record, and the walk stops before that page so the next run sees it again.

The app's pages come oldest change first, filtered by a modified-since that counts
whole seconds. Page numbers drift when a record is edited mid-walk (it moves to the
end and everything after it moves up a place), so after each page the walk starts
again from the newest change it has seen rather than at the next page number. The
records of that last second come again; the position remembers them (a short hash
of id and change time, per second) so only a record changed since is handled again.
Only a page that lies wholly within one second leaves no newer point to restart
from: then the page number moves on, and once that second is left it is read again
from its first page, handing on only records not seen before (and again, while a
re-read still finds some), so none slips by.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from chalicelib.domain.accounting import AppPage
from chalicelib.domain.loc8 import Page
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.positions import later, load_position, next_since, save_position

AppFetch = Callable[[datetime | None, int], Iterator[AppPage[Any]]]
Loc8Fetch = Callable[[datetime | None, str | None], Iterator[Page[Any]]]
# Answers False when some record's outcome is unknown: the walk must not pass it.
PageHandler = Callable[[list[Any]], bool | None]


def _second(moment: str | None) -> str | None:
    return moment[:19] if moment else None


def _stamp(record: Any) -> str | None:
    updated: datetime | None = record.updated_at
    return updated.isoformat() if updated else None


def _short(record: Any, stamp: str) -> str:
    # Twelve hex digits of (id, change time): a second's worth of a bulk import stays
    # well inside one cursor item, and a record changed since hashes differently.
    return hashlib.sha256(f"{record.id}|{stamp}".encode()).hexdigest()[:12]


class _Seen:
    """Records already handled, per second of their change time: a record comes again
    unchanged only with the same change time."""

    def __init__(self, stored: dict[str, list[str]] | None) -> None:
        self._by_second: dict[str, set[str]] = {k: set(v) for k, v in (stored or {}).items()}

    def has(self, record: Any) -> bool:
        stamp = _stamp(record)
        if stamp is None:
            return False
        return _short(record, stamp) in self._by_second.get(stamp[:19], set())

    def add(self, record: Any) -> None:
        stamp = _stamp(record)
        if stamp is not None:
            self._by_second.setdefault(stamp[:19], set()).add(_short(record, stamp))

    def keep_second(self, moment: str | None) -> None:
        second = _second(moment)
        self._by_second = {k: v for k, v in self._by_second.items() if k == second}

    def stored(self) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in sorted(self._by_second.items())}


def walk_app_pages(context: SyncContext, name: str, fetch: AppFetch, handle: PageHandler) -> None:
    """Hand every app record changed since the saved position to `handle`, a page at a
    time, once (a record changed again is handed again), saving the position per page.

    `handle` must be safe to repeat: a job stopped mid-page reads the page again.
    The next pass starts from what this pass read, judged at read time (see
    `positions.next_since`), so a change landing while the pass works is seen next time.
    """
    position = load_position(context, name)
    since: str | None = position.get("since")
    page_number = int(position.get("page") or 1)
    high_water: str | None = position.get("high_water") or since
    seen = _Seen(position.get("seen"))
    # Re-reading a second page by page: whether that found records the first read missed.
    rereading: bool = bool(position.get("rereading"))
    found_on_reread: bool = bool(position.get("found_on_reread"))
    while True:
        read_at = context.now()  # before the read: what is decided from it must not be later
        page = next(iter(fetch(datetime.fromisoformat(since) if since else None, page_number)))
        if page.read_at is not None and page.read_at < read_at:
            read_at = page.read_at  # the page shows the app as it was then, not now
        fresh = [record for record in page.records if not seen.has(record)]
        if handle(fresh) is False:
            return
        page_newest: str | None = None
        for record in page.records:
            page_newest = later(page_newest, record.updated_at)
            seen.add(record)
        high_water = later(high_water, datetime.fromisoformat(page_newest) if page_newest else None)
        if rereading and any(_second(_stamp(r)) == _second(since) for r in fresh):
            found_on_reread = True
        leaves_second = page.last or _second(page_newest) != _second(since)
        if not leaves_second:
            page_number += 1  # a whole page within one second: only the page number moves
        elif page_number > 1 and (not rereading or found_on_reread):
            # Pages of one second were walked by number; an edit meanwhile may have moved
            # an unseen record of that second back past us. Read the second again.
            page_number, rereading, found_on_reread = 1, True, False
        elif page.last:
            since = next_since(high_water, read_at)
            page_number, rereading, found_on_reread = 1, False, False
            seen.keep_second(since)
        else:
            since, page_number, rereading, found_on_reread = high_water, 1, False, False
            seen.keep_second(since)
        save_position(
            context,
            name,
            {
                "since": since,
                "page": page_number,
                "high_water": high_water,
                "seen": seen.stored(),
                "rereading": rereading,
                "found_on_reread": found_on_reread,
            },
        )
        context.check_budget()
        if page.last and page_number == 1 and not rereading:
            return


def walk_loc8_pages(context: SyncContext, name: str, fetch: Loc8Fetch, handle: PageHandler) -> None:
    """Hand every Loc8 record changed since the saved position to `handle`, a page at
    a time, saving Loc8's page cursor per page; the next pass starts at the newest
    change seen (Loc8 compares change times exactly, and unchanged records cost no
    write when they come again)."""
    position = load_position(context, name)
    since_text: str | None = position.get("since")
    high_water: str | None = position.get("high_water")
    since = datetime.fromisoformat(since_text) if since_text else None
    for page in fetch(since, position.get("cursor") or None):
        if handle(page.items) is False:
            return
        for item in page.items:
            high_water = later(high_water, item.updated_at)
        if page.next_cursor is None:
            position = {"since": high_water, "cursor": None, "high_water": high_water}
        else:
            position = {"since": since_text, "cursor": page.next_cursor, "high_water": high_water}
        save_position(context, name, position)
        context.check_budget()
