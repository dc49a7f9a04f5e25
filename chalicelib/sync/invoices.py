"""Invoices, Loc8 → the app: each issued (or paid) Loc8 invoice becomes one sales invoice.

Each pass reads the Loc8 invoices changed since its cursor, a page at a time. Drafts
are not sent; an issued or paid invoice is created once, re-sent when its Loc8
fingerprint changes (keeping the app's line ids, so the app updates its lines rather
than replacing them), and deleted or voided in the app when it is voided in Loc8.

Exactly once, whatever fails:
- the link (Loc8 id ↔ app id, fingerprint of what was sent) is saved right after
  each batch the app accepted, and the cursor after every page;
- a batch is sent with an Idempotency-Key made from the run, its invoice ids and
  versions and its body, so the continuation of a run whose answer was lost gets the
  first answer replayed (within the app's key memory, 6 minutes for Xero);
- after that, a create refused because the number is taken (the first attempt did
  land) looks the invoice up by number and links it instead of making another.

A record the app refuses is reported with the app's message and retried: its id is
kept in the cursor document and the invoice is tried again at the end of the next
pass, until it goes through (or changes in Loc8 and comes back through the pages).
Its link fingerprint is not advanced, so nothing is marked synced that was not.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.domain.accounting import AppInvoice, AppInvoiceLine, AppInvoiceStatus
from chalicelib.domain.app_profile import InvoiceRemoval, WriteFailure
from chalicelib.domain.links import Link, fingerprint
from chalicelib.domain.loc8 import ExternalRef, Loc8Invoice, Loc8InvoiceLine, Loc8InvoiceStatus
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8NotFound, Loc8ValidationFailed
from chalicelib.domain.sync_config import InvoiceStatus, SyncConfig
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.positions import load_position, save_position, since_of
from chalicelib.sync.tax_codes import TaxCodeResolver

DOMAIN = "invoices"
CUSTOMERS = "customers"
LINE_ITEMS = "line_items"
LOC8_CURSOR = "invoices#loc8"
# Failed invoices kept for retry; beyond this they wait for their next change in Loc8.
RETRY_LIMIT = 500
CLOSED = frozenset({AppInvoiceStatus.VOIDED, AppInvoiceStatus.DELETED})


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def account_for(config: SyncConfig, line: Loc8InvoiceLine) -> str | None:
    if line.line_item_id:
        return config.account_for(line.line_item_id)
    return config.default_account_code


def loc8_fingerprint(invoice: Loc8Invoice) -> str:
    """What the app is sent, from Loc8's fields only: comparing it costs no call.

    Payments, external references and issued → paid do not count (they are our own
    echoes, or not sent); voiding does. Nor does the account mapping: a changed
    mapping applies to invoices sent or edited afterwards, and the echo of a payment
    never re-sends (and so never trips over) an invoice the app has closed.
    """
    return fingerprint(
        {
            "number": invoice.number,
            "customer": invoice.customer_id,
            "reference": invoice.reference,
            "issued": invoice.issue_date.isoformat(),
            "due": invoice.due_date.isoformat(),
            "voided": invoice.status is Loc8InvoiceStatus.VOIDED,
            "lines": [
                [
                    line.line_item_id,
                    line.description,
                    _number(line.quantity),
                    _number(line.unit_price),
                    line.tax_type_code,
                ]
                for line in invoice.lines
            ],
        }
    )


def app_fingerprint(invoice: AppInvoice) -> str:
    """The app invoice's status as last seen: what the status pass acts on."""
    return fingerprint({"status": invoice.status})


def content(invoice: AppInvoice) -> tuple:
    """The fields a push sets, comparable between a draft and the app's copy."""
    return (
        invoice.contact_id,
        invoice.number.casefold(),
        invoice.date,
        invoice.due_date,
        invoice.reference or None,
        invoice.url or None,
        tuple(
            (
                line.description,
                line.quantity.normalize(),
                line.unit_amount.normalize(),
                line.account_code or None,
                line.tax_type or None,
                line.item_code or None,
            )
            for line in invoice.lines
        ),
    )


@dataclass
class Work:
    """One invoice to write: a create (no link), an update, or a void (no draft)."""

    invoice: Loc8Invoice
    link: Link | None
    loc8_print: str
    draft: AppInvoice | None = None
    adopted: bool = False  # created by an earlier attempt whose answer was lost


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batch_key(run_id: str, action: str, batch: Iterable[Work], bodies: list[AppInvoice]) -> str:
    """The same request in the same run (a continuation after a lost answer) gets the
    same key, so the app replays its first answer. A later run gets a new key: the app
    also replays refusals, and a record refused before may go through now."""
    digest = hashlib.sha256(f"{run_id}|".encode())
    for work in batch:
        digest.update(f"{work.invoice.id}:{work.invoice.version}|".encode())
    digest.update(json.dumps([b.model_dump(mode="json") for b in bodies], sort_keys=True).encode())
    return f"inv-{action}-{digest.hexdigest()[:40]}"


class InvoicesSyncer:
    domain = DOMAIN

    def __init__(self, web_url: str = "") -> None:
        self._web_url = web_url.rstrip("/")

    def sync(self, context: SyncContext) -> None:
        _Push(context, self._web_url).run()


class _Push:
    """One pass (or the rest of one) of Loc8 invoices to the app."""

    def __init__(self, context: SyncContext, web_url: str) -> None:
        self.context = context
        self.web_url = web_url
        self.app = context.integration.app
        position = load_position(context, LOC8_CURSOR)
        self.since: str | None = position.get("since")
        self.cursor: str | None = position.get("cursor")
        self.high_water: str | None = position.get("high_water")
        self.phase: str = position.get("phase") or "pages"
        # Ids changed at exactly `since` (handled last pass) and at `high_water` (this one).
        self.edge: list[str] = list(position.get("edge") or [])
        self.top: list[str] = list(position.get("top") or [])
        self.retry: list[str] = list(position.get("retry") or [])
        self.failed: list[str] = list(position.get("failed") or [])
        self.tax_codes = TaxCodeResolver(context)
        self._item_codes: dict[str, str] | None = None
        # Written in this invocation: Loc8's echo of them (the external reference moves
        # them to the end of the pass) is not counted again as unchanged.
        self.written: set[str] = set()

    # --- the pass ---------------------------------------------------------------------

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
        )
        for page in pages:
            todo = [
                invoice
                for invoice in page.items
                # One already tried in this pass waits for the retry at the end of the next;
                # the last one the previous pass handled comes again (since is inclusive).
                if invoice.id not in self.failed
                and not (invoice.id in self.edge and invoice.updated_at.isoformat() == self.since)
            ]
            for invoice in page.items:
                stamp = invoice.updated_at.isoformat()
                if self.high_water is None or stamp > self.high_water:
                    self.high_water, self.top = stamp, [invoice.id]
                elif stamp == self.high_water and invoice.id not in self.top:
                    self.top.append(invoice.id)
            self._sync(todo)
            seen = {invoice.id for invoice in todo}
            self.retry = [invoice_id for invoice_id in self.retry if invoice_id not in seen]
            self.cursor = page.next_cursor
            if page.next_cursor is None:
                self.phase = "retries"
            self._save()
            context.check_budget()

    def _retries(self) -> None:
        context = self.context
        while True:
            batch = [i for i in self.retry if i not in self.failed][
                : context.app.profile.write_batch_size
            ]
            if not batch:
                break
            invoices = []
            for invoice_id in batch:
                try:
                    invoices.append(context.loc8.get_invoice(context.tenant_id, invoice_id))
                except Loc8NotFound:
                    continue
            self._sync(invoices)
            done = set(batch)
            self.retry = [invoice_id for invoice_id in self.retry if invoice_id not in done]
            self._save()
            context.check_budget()
        kept = self.failed[:RETRY_LIMIT]
        if len(self.failed) > RETRY_LIMIT:
            context.record_error(
                DOMAIN,
                None,
                f"{len(self.failed) - RETRY_LIMIT} more invoices failed; they are tried "
                "again when they next change in Loc8.",
            )
        self.since, self.cursor, self.phase = self.high_water, None, "pages"
        self.edge = list(self.top)
        self.retry, self.failed = kept, []
        self._save()

    def _save(self) -> None:
        save_position(
            self.context,
            LOC8_CURSOR,
            {
                "since": self.since,
                "cursor": self.cursor,
                "high_water": self.high_water,
                "phase": self.phase,
                "edge": self.edge,
                "top": self.top,
                "retry": self.retry,
                "failed": self.failed,
            },
        )

    def _checkpoint(self) -> None:
        """After each batch the app answered: keep what failed, then mind the budget."""
        self._save()
        self.context.check_budget()

    # --- one set of invoices (a page, or a batch of retries) --------------------------

    def _sync(self, invoices: list[Loc8Invoice]) -> None:
        context = self.context
        counts = context.counts(DOMAIN)
        links = context.links.by_loc8(context.scope, DOMAIN, [i.id for i in invoices])
        to_send: list[Work] = []
        refs: list[tuple[Loc8Invoice, str]] = []
        for invoice in invoices:
            if invoice.status is Loc8InvoiceStatus.DRAFT:
                continue  # not sent; an invoice put back to draft stays as it was in the app
            link = links.get(invoice.id)
            current = loc8_fingerprint(invoice)
            if link is not None and link.loc8_fingerprint == current:
                if invoice.id not in self.written:
                    counts.unchanged += 1
                refs.append((invoice, link.app_id))  # repaired if an earlier run lost it
                continue
            if invoice.status is Loc8InvoiceStatus.VOIDED and link is None:
                continue  # never sent
            to_send.append(Work(invoice, link, current))
        drafts = [w for w in to_send if w.invoice.status is not Loc8InvoiceStatus.VOIDED]
        self._draft_all(drafts)
        ready = [
            w
            for w in to_send
            if w.draft is not None or w.invoice.status is Loc8InvoiceStatus.VOIDED
        ]
        creates = [w for w in ready if w.link is None]
        updates = [w for w in ready if w.link is not None]
        self._record_refs(refs)
        adopted = self._create(creates)
        self._update(updates + adopted)

    def _draft_all(self, works: list[Work]) -> None:
        if not works:
            return
        context = self.context
        contacts = context.links.by_loc8(
            context.scope, CUSTOMERS, {w.invoice.customer_id for w in works}
        )
        line_item_ids = {
            line.line_item_id for w in works for line in w.invoice.lines if line.line_item_id
        }
        items = context.links.by_loc8(context.scope, LINE_ITEMS, line_item_ids)
        for work in works:
            contact = contacts.get(work.invoice.customer_id)
            if contact is None:
                self._fail(work.invoice, self._no_contact_message())
                continue
            try:
                work.draft = self._draft(work.invoice, contact.app_id, items)
            except _Unsendable as problem:
                self._fail(work.invoice, str(problem))

    def _no_contact_message(self) -> str:
        name = self.context.app_name
        if self.context.config.sync.customers:
            return (
                f"The customer is not linked to a {name} contact yet (see the customers "
                "errors); the invoice is sent once it is."
            )
        return (
            f"The customer is not linked to a {name} contact; turn on customer sync so "
            "invoices can be sent."
        )

    def _draft(self, invoice: Loc8Invoice, contact_id: str, items: dict[str, Link]) -> AppInvoice:
        config = self.context.config
        lines = []
        for line in invoice.lines:
            tax_type = self.tax_codes.app_code(line.tax_type_code)
            if tax_type is None:
                raise _Unsendable(
                    f"Tax type {line.tax_type_code} on '{line.description}' has no "
                    f"{self.context.app_name} equivalent; sync tax rates and re-code the line."
                )
            item = items.get(line.line_item_id or "")
            lines.append(
                AppInvoiceLine(
                    description=line.description,
                    quantity=line.quantity,
                    unit_amount=line.unit_price,
                    account_code=account_for(config, line),
                    tax_type=tax_type,
                    item_code=self._item_code(item.app_id) if item else None,
                )
            )
        return AppInvoice(
            number=invoice.number,
            contact_id=contact_id,
            status=(
                AppInvoiceStatus.DRAFT
                if config.invoice_status is InvoiceStatus.DRAFT
                else AppInvoiceStatus.APPROVED
            ),
            date=invoice.issue_date,
            due_date=invoice.due_date,
            reference=invoice.reference or None,
            url=f"{self.web_url}/invoices/{invoice.id}" if self.web_url else None,
            lines=lines,
        )

    def _item_code(self, app_item_id: str) -> str | None:
        if self._item_codes is None:
            self._item_codes = {
                item.id: item.code for item in self.context.app.items() if item.id and item.code
            }
        return self._item_codes.get(app_item_id)

    # --- writes -----------------------------------------------------------------------

    def _create(self, works: list[Work]) -> list[Work]:
        """Create in batches; returns the invoices an earlier attempt already created."""
        context = self.context
        adopted: list[Work] = []
        for batch in _chunks(works, context.app.profile.write_batch_size):
            drafts = [w.draft for w in batch if w.draft is not None]
            results = context.app.create_invoices(
                drafts, _batch_key(context.run.id, "create", batch, drafts)
            )
            made: list[Link] = []
            refs: list[tuple[Loc8Invoice, str]] = []
            taken: list[Work] = []
            for index, work in enumerate(batch):
                result = results[index] if index < len(results) else None
                record = result.record if result is not None else None
                if result is not None and result.ok and record is not None and record.id:
                    made.append(self._link(work, record))
                    refs.append((work.invoice, record.id))
                    context.counts(DOMAIN).created += 1
                    self._succeeded(work.invoice)
                elif result is not None and result.reason is WriteFailure.NUMBER_TAKEN:
                    taken.append(work)
                else:
                    self._fail(work.invoice, _message(result))
            context.links.save(context.scope, made)
            adopted += self._adopt(taken)
            self._record_refs(refs)
            self._checkpoint()
        return adopted

    def _adopt(self, works: list[Work]) -> list[Work]:
        """The number is taken: if by the invoice an earlier attempt created, link it."""
        if not works:
            return []
        context = self.context
        by_number: dict[str, list[AppInvoice]] = defaultdict(list)
        for found in context.app.find_invoices([w.invoice.number for w in works]):
            if found.status is not AppInvoiceStatus.DELETED and found.id:
                by_number[found.number.casefold()].append(found)
        adopted: list[Work] = []
        links: list[Link] = []
        for work in works:
            assert work.draft is not None
            ours = [f for f in by_number[work.invoice.number.casefold()] if _same_origin(work, f)]
            if len(ours) != 1:
                self._fail(
                    work.invoice,
                    f"Invoice number {work.invoice.number} is already used by another "
                    f"{context.app_name} invoice; renumber one of them to send it.",
                )
                continue
            # Linked before anything else, so no later attempt can create another.
            link = Link(
                domain=DOMAIN,
                loc8_id=work.invoice.id,
                app_id=ours[0].id or "",
                loc8_fingerprint=None,
                app_fingerprint=None,
                synced_at=context.now(),
            )
            links.append(link)
            adopted.append(Work(work.invoice, link, work.loc8_print, work.draft, adopted=True))
        context.links.save(context.scope, links)
        self._record_refs([(w.invoice, w.link.app_id) for w in adopted if w.link])
        return adopted

    def _update(self, works: list[Work]) -> None:
        context = self.context
        counts = context.counts(DOMAIN)
        for batch in _chunks(works, context.app.profile.write_batch_size):
            app_ids = [w.link.app_id for w in batch if w.link is not None]
            existing = {i.id: i for i in context.app.get_invoices(app_ids)}
            to_send: list[tuple[Work, AppInvoice]] = []
            links: list[Link] = []
            for work in batch:
                assert work.link is not None
                current = existing.get(work.link.app_id)
                if current is None:
                    self._fail(work.invoice, f"The invoice is no longer in {context.app_name}.")
                    continue
                wanted = self._wanted(work, current)
                if wanted is None:
                    continue
                if wanted is current:  # already as wanted: nothing to send
                    links.append(self._link(work, current))
                    if work.adopted:
                        counts.created += 1
                    else:
                        counts.unchanged += 1
                    self._succeeded(work.invoice)
                    continue
                to_send.append((work, wanted))
            if to_send:
                bodies = [body for _, body in to_send]
                results = context.app.update_invoices(
                    bodies, _batch_key(context.run.id, "update", [w for w, _ in to_send], bodies)
                )
                for index, (work, _body) in enumerate(to_send):
                    result = results[index] if index < len(results) else None
                    record = result.record if result is not None else None
                    if result is None or not result.ok or record is None:
                        self._fail(work.invoice, _message(result))
                        continue
                    links.append(self._link(work, record))
                    if work.adopted:
                        counts.created += 1
                    else:
                        counts.updated += 1
                    self._succeeded(work.invoice)
            context.links.save(context.scope, links)
            self._checkpoint()

    def _wanted(self, work: Work, current: AppInvoice) -> AppInvoice | None:
        """What to send; `current` itself when nothing needs sending, None on a problem."""
        name = self.context.app_name
        if work.draft is None:  # voided in Loc8
            if current.status in CLOSED:
                return current
            if current.status is AppInvoiceStatus.PAID or (current.amount_paid or 0) > 0:
                self._fail(
                    work.invoice,
                    f"Voided in Loc8, but the {name} invoice has payments; remove them in "
                    f"{name} and it is voided on a later run.",
                )
                return None
            removal = self.context.app.profile.removal_for(
                current.status is AppInvoiceStatus.APPROVED
            )
            status = (
                AppInvoiceStatus.DELETED
                if removal is InvoiceRemoval.DELETE
                else AppInvoiceStatus.VOIDED
            )
            return current.model_copy(update={"status": status})
        draft = work.draft
        lines = [
            line.model_copy(update={"id": current.lines[index].id})
            if index < len(current.lines)
            else line
            for index, line in enumerate(draft.lines)
        ]
        status = draft.status
        # Never move an invoice back (e.g. approved in the app while config says draft).
        if current.status.is_editable and current.status.rank > status.rank:
            status = current.status
        wanted = draft.model_copy(update={"id": current.id, "lines": lines, "status": status})
        if content(wanted) == content(current) and (
            wanted.status == current.status or not current.status.is_editable
        ):
            return current  # e.g. an earlier attempt's invoice, since paid in the app
        return wanted

    # --- bookkeeping ------------------------------------------------------------------

    def _link(self, work: Work, record: AppInvoice) -> Link:
        # A paid/voided status seen here is left for the status pass to bring to Loc8,
        # unless this push itself voided the invoice.
        app_print = work.link.app_fingerprint if work.link is not None else None
        if work.draft is None or record.status.is_editable:
            app_print = app_fingerprint(record)
        return Link(
            domain=DOMAIN,
            loc8_id=work.invoice.id,
            app_id=record.id or "",
            loc8_fingerprint=work.loc8_print,
            app_fingerprint=app_print,
            synced_at=self.context.now(),
        )

    def _record_refs(self, pairs: list[tuple[Loc8Invoice, str]]) -> None:
        """Tell Loc8 where each invoice lives in the app (once; repaired when missing)."""
        context = self.context
        for invoice, app_id in pairs:
            ref = invoice.external_ref(self.app)
            if ref is not None and ref.external_id == app_id:
                continue
            try:
                context.loc8.record_invoice_external_ref(
                    context.tenant_id,
                    invoice.id,
                    ExternalRef(
                        app=self.app,
                        external_id=app_id,
                        url=context.app.profile.invoice_url(app_id),
                    ),
                    idempotency_key=f"{context.scope.key(DOMAIN)}:ref:{invoice.id}:{app_id}",
                )
            except (Loc8NotFound, Loc8Conflict, Loc8ValidationFailed) as refused:
                context.record_error(DOMAIN, invoice.number, refused.message)

    def _fail(self, invoice: Loc8Invoice, message: str) -> None:
        self.context.record_error(DOMAIN, invoice.number, message)
        if invoice.id not in self.failed:
            self.failed.append(invoice.id)

    def _succeeded(self, invoice: Loc8Invoice) -> None:
        self.written.add(invoice.id)
        if invoice.id in self.failed:
            self.failed.remove(invoice.id)


class _Unsendable(Exception):
    """The invoice cannot be put into the app's terms; the message says why."""


def _same_origin(work: Work, found: AppInvoice) -> bool:
    """Whether an app invoice with our number is the one an earlier attempt created."""
    draft = work.draft
    assert draft is not None
    if found.contact_id != draft.contact_id:
        return False
    if draft.url:
        return (found.url or "") == draft.url
    return (found.reference or None) == draft.reference


def _message(result: Any) -> str:
    errors = getattr(result, "errors", None) or []
    return "; ".join(errors) or "The app refused the invoice without a reason."
