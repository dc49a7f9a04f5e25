"""Invoices, Loc8 → the app: each issued (or paid) Loc8 invoice becomes one sales invoice.

The pass: Loc8 invoices changed since the cursor are read a page at a time and handed
to `InvoicePush` (`sync/invoices_push.py`, which writes them); the cursor document is
saved as each page completes. Drafts are not sent; an issued or paid invoice is
created once, re-sent when its Loc8 fingerprint changes, and removed from the app
when it is voided in Loc8 (the rules: `domain/app_invoices.py`).

A record the app refuses, or whose outcome is unknown, is reported and kept in the
cursor document: it is tried again at the end of the next pass until it goes through
(or changes in Loc8 and comes back through the pages). Its link fingerprint is not
advanced, so nothing is marked synced that was not.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.app_invoices import app_fingerprint, loc8_fingerprint
from chalicelib.domain.loc8_errors import Loc8NotFound
from chalicelib.sync.framework import Direction, SyncContext
from chalicelib.sync.invoices_push import DOMAIN, InvoicePush, PushLedger
from chalicelib.sync.positions import load_position, save_position, since_of

# Read by the payments step, which brings the app's statuses back to these invoices.
__all__ = ["DOMAIN", "LOC8_CURSOR", "InvoicesSyncer", "app_fingerprint", "loc8_fingerprint"]

LOC8_CURSOR = "invoices#loc8"
# About how many Loc8 invoices a page brings (Loc8's default page).
LOC8_PAGE_INVOICES = 200
# Failed invoices kept for retry; beyond this they wait for their next change in Loc8
# (except those of unknown outcome, which are always kept).
RETRY_LIMIT = 500


class InvoicesSyncer:
    domain = DOMAIN
    app_positions: tuple[str, ...] = ()

    def __init__(self, web_url: str = "") -> None:
        self._web_url = web_url.rstrip("/")

    def sync(self, context: SyncContext) -> None:
        _Pass(context, self._web_url).run()


class _Pass:
    """One pass (or the rest of one) over the Loc8 invoices changed since the cursor.

    Phases: "pages" reads the changed invoices page by page; "retries" then sends
    again those that failed in the previous pass. The cursor document holds where the
    pages stopped, the newest change seen (the next pass's start), the ids changed at
    exactly those moments (so an inclusive start does not count them twice), and the
    push's ledger (failed and unsure invoices).
    """

    def __init__(self, context: SyncContext, web_url: str) -> None:
        self.context = context
        position = load_position(context, LOC8_CURSOR)
        self.since: str | None = position.get("since")
        self.cursor: str | None = position.get("cursor")
        self.high_water: str | None = position.get("high_water")
        self.phase: str = position.get("phase") or "pages"
        # Ids changed at exactly `since` (handled last pass) and at `high_water` (this one).
        self.edge: list[str] = list(position.get("edge") or [])
        self.top: list[str] = list(position.get("top") or [])
        self.retry: list[str] = list(position.get("retry") or [])
        self.ledger = PushLedger(
            failed=list(position.get("failed") or []),
            unsure=dict(position.get("unsure") or {}),
        )
        self.push = InvoicePush(context, web_url, self.ledger, self._save, self._checkpoint)
        self.batch_size = context.app.profile.write_batch_size

    def run(self) -> None:
        if self.phase == "pages":
            self._pages()
        self._retries()

    def _pages(self) -> None:
        context = self.context
        pages = context.loc8.invoice_pages(
            context.tenant_id,
            updated_since=since_of({"since": self.since}),
            cursor=self.cursor or None,
            # Whole batches per page: 200 invoices in batches of 30 would send a batch of
            # 20 every page.
            limit=self.batch_size * max(1, LOC8_PAGE_INVOICES // self.batch_size),
        )
        for page in pages:
            todo = [
                invoice
                for invoice in page.items
                # One already tried in this pass waits for the retry at the end of the next;
                # the last one the previous pass handled comes again (since is inclusive).
                if invoice.id not in self.ledger.failed
                and not (invoice.id in self.edge and invoice.updated_at.isoformat() == self.since)
            ]
            for invoice in page.items:
                stamp = invoice.updated_at.isoformat()
                if self.high_water is None or stamp > self.high_water:
                    self.high_water, self.top = stamp, [invoice.id]
                elif stamp == self.high_water and invoice.id not in self.top:
                    self.top.append(invoice.id)
            self.push.send(todo)
            seen = {invoice.id for invoice in todo}
            self.retry = [invoice_id for invoice_id in self.retry if invoice_id not in seen]
            self.cursor = page.next_cursor
            if page.next_cursor is None:
                self.phase = "retries"
            self._checkpoint()

    def _retries(self) -> None:
        context = self.context
        while True:
            batch = [i for i in self.retry if i not in self.ledger.failed][: self.batch_size]
            if not batch:
                break
            invoices = []
            for invoice_id in batch:
                try:
                    invoices.append(context.loc8.get_invoice(context.tenant_id, invoice_id))
                except Loc8NotFound:
                    self.ledger.unsure.pop(invoice_id, None)
            self.push.send(invoices)
            done = set(batch)
            self.retry = [invoice_id for invoice_id in self.retry if invoice_id not in done]
            self._checkpoint()
        self._end_pass()

    def _end_pass(self) -> None:
        failed, unsure = self.ledger.failed, self.ledger.unsure
        # An invoice of unknown outcome is never dropped: it may be in the app already.
        kept = [i for i in failed if i in unsure]
        others = [i for i in failed if i not in unsure]
        kept += others[: max(RETRY_LIMIT - len(kept), 0)]
        dropped = len(failed) - len(kept)
        if dropped:
            self.context.record_error(
                DOMAIN,
                Direction.TO_APP,
                None,
                f"{dropped} more invoices failed; they are tried again when they next "
                "change in Loc8.",
            )
        self.since, self.cursor, self.phase = self.high_water, None, "pages"
        self.edge = list(self.top)
        self.retry = kept
        self.ledger.failed = []
        self.ledger.unsure = {i: at for i, at in unsure.items() if i in kept}
        self._save()

    def _save(self) -> None:
        document: dict[str, Any] = {
            "since": self.since,
            "cursor": self.cursor,
            "high_water": self.high_water,
            "phase": self.phase,
            "edge": self.edge,
            "top": self.top,
            "retry": self.retry,
            "failed": self.ledger.failed,
            "unsure": self.ledger.unsure,
        }
        save_position(self.context, LOC8_CURSOR, document)

    def _checkpoint(self) -> None:
        """After each page or batch the app answered: keep the cursor, mind the budget."""
        self._save()
        self.context.check_budget()
