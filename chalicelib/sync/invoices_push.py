"""Sending a set of Loc8 invoices to the app: batched writes, adoption, status policy.

`InvoicePush.send` takes the invoices the pass read (a page, or a batch of retries)
and, for each, creates, updates, removes, or leaves it, in batches of the app's
`write_batch_size`. What happened to each invoice goes into the pass's `PushLedger`,
which the pass keeps in its cursor document.

Exactly once, whatever fails:
- the link (Loc8 id ↔ app id, fingerprint of what was sent) is saved right after
  each batch the app answered;
- before a create batch is sent its invoices are noted as *unsure* (with the time),
  and the note is saved; they stay unsure until the app's answer says what became of
  them. A batch is sent with an idempotency key made from the run, its invoices and
  its body, so a continuation within the app's key lifetime gets the first answer
  replayed. After that lifetime, or for an app without keys, an unsure invoice is
  looked up by number before it is created again, and linked if an earlier attempt
  made it;
- a create refused because the number is taken (the first attempt did land, or
  someone used the number) looks the invoice up too: ours is linked, another's is
  reported.

With payments on, an invoice that has payments taken in Loc8 is sent approved even
when the config says draft: a draft cannot take a payment (`sync/payments_push.py`
records them next, and approves a draft sent before a payment was taken).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.accounting import AppInvoice, AppInvoiceStatus, AppItem, WriteResult
from chalicelib.domain.app_invoices import (
    CLOSED,
    Unsendable,
    app_fingerprint,
    draft_invoice,
    has_payments,
    loc8_fingerprint,
    ours_by_number,
    removal_status,
    update_for,
)
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.links import Link
from chalicelib.domain.loc8 import ExternalRef, Loc8Invoice, Loc8InvoiceStatus
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8NotFound, Loc8ValidationFailed
from chalicelib.sync.framework import Direction, SyncContext
from chalicelib.sync.payments_push import to_send as loc8_payments_to_send
from chalicelib.sync.tax_codes import tax_codes_of
from chalicelib.sync.writes import answers_for, chunks

DOMAIN = "invoices"
CUSTOMERS = "customers"
LINE_ITEMS = "line_items"
# A key this close to the end of the app's memory may be forgotten by the time the
# request lands: look the invoice up instead.
KEY_MARGIN = timedelta(seconds=30)


@dataclass
class PushLedger:
    """Each invoice's outcome, for the pass to keep in its cursor."""

    # Refused or of unknown outcome: tried again at the end of the next pass.
    failed: list[str] = field(default_factory=list)
    # Sent in a create whose answer has not been read: Loc8 id → when (ISO) it was sent.
    unsure: dict[str, str] = field(default_factory=dict)
    # Written in this invocation: Loc8's echo of them (the external reference moves
    # them to the end of the pass) is not counted again as unchanged.
    written: set[str] = field(default_factory=set)

    def fail(self, invoice_id: str) -> None:
        if invoice_id not in self.failed:
            self.failed.append(invoice_id)

    def succeed(self, invoice_id: str) -> None:
        self.written.add(invoice_id)
        self.unsure.pop(invoice_id, None)
        if invoice_id in self.failed:
            self.failed.remove(invoice_id)


@dataclass
class Work:
    """One invoice to write: a create (no link), an update, or a removal (no draft)."""

    invoice: Loc8Invoice
    link: Link | None
    loc8_print: str
    draft: AppInvoice | None = None
    adopted: bool = False  # created by an earlier attempt whose answer was lost


def batch_key(run_id: str, action: str, batch: Iterable[Work], bodies: list[AppInvoice]) -> str:
    """The same request in the same run (a continuation after a lost answer) gets the
    same key, so the app replays its first answer. A later run gets a new key: the app
    also replays refusals, and a record refused before may go through now."""
    digest = hashlib.sha256(f"{run_id}|".encode())
    for work in batch:
        digest.update(f"{work.invoice.id}:{work.invoice.version}|".encode())
    digest.update(json.dumps([b.model_dump(mode="json") for b in bodies], sort_keys=True).encode())
    return f"inv-{action}-{digest.hexdigest()[:40]}"


def _message(result: WriteResult[Any]) -> str:
    return "; ".join(result.errors) or "The app refused the invoice without a reason."


class InvoicePush:
    def __init__(
        self,
        context: SyncContext,
        web_url: str,
        ledger: PushLedger,
        save: Callable[[], None],
        checkpoint: Callable[[], None],
    ) -> None:
        """`save` keeps the pass's cursor (with the ledger); `checkpoint` also minds the
        budget, after each batch the app answered."""
        self.context = context
        self.web_url = web_url
        self.ledger = ledger
        self.save = save
        self.checkpoint = checkpoint
        self.profile = context.app.profile
        self.app_key = context.integration.app
        self.tax_codes = tax_codes_of(context)
        self._app_items: dict[str, AppItem] | None = None

    # --- one set of invoices ----------------------------------------------------------

    def send(self, invoices: list[Loc8Invoice]) -> None:
        context = self.context
        counts = context.counts(DOMAIN, Direction.TO_APP)
        links = context.links.by_loc8(context.scope, DOMAIN, [i.id for i in invoices])
        to_send: list[Work] = []
        refs: list[tuple[Loc8Invoice, str]] = []
        for invoice in invoices:
            if invoice.status is Loc8InvoiceStatus.DRAFT:
                continue  # not sent; an invoice put back to draft stays as it was in the app
            link = links.get(invoice.id)
            current = loc8_fingerprint(invoice)
            if link is not None and link.loc8_fingerprint == current:
                if invoice.id not in self.ledger.written:
                    counts.unchanged += 1
                refs.append((invoice, link.app_id))  # repaired if an earlier run lost it
                continue
            if invoice.status is Loc8InvoiceStatus.VOIDED and link is None:
                continue  # never sent
            to_send.append(Work(invoice, link, current))
        self._draft_all([w for w in to_send if w.invoice.status is not Loc8InvoiceStatus.VOIDED])
        ready = [
            w
            for w in to_send
            if w.draft is not None or w.invoice.status is Loc8InvoiceStatus.VOIDED
        ]
        self._record_refs(refs)
        adopted = self._create([w for w in ready if w.link is None])
        self._update([w for w in ready if w.link is not None] + adopted)

    # --- drafting ---------------------------------------------------------------------

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

        def item_code(line_item_id: str) -> str | None:
            item = items.get(line_item_id)
            found = self._app_item(item.app_id) if item else None
            return found.code if found else None

        def item_account(line_item_id: str) -> str | None:
            item = items.get(line_item_id)
            found = self._app_item(item.app_id) if item else None
            return found.account_code if found else None

        for work in works:
            contact = contacts.get(work.invoice.customer_id)
            if contact is None:
                self._fail(work.invoice, self._no_contact_message())
                continue
            try:
                work.draft = draft_invoice(
                    work.invoice,
                    contact_id=contact.app_id,
                    config=context.config,
                    profile=self.profile,
                    tax_code=self.tax_codes.app_code,
                    item_code=item_code,
                    item_account=item_account,
                    web_url=self.web_url,
                )
            except Unsendable as problem:
                self._fail(work.invoice, str(problem))
                continue
            if work.draft is not None and self._takes_payments(work.invoice):
                work.draft = work.draft.model_copy(update={"status": AppInvoiceStatus.APPROVED})

    def _takes_payments(self, invoice: Loc8Invoice) -> bool:
        """Whether payments taken in Loc8 are to be recorded on the app's copy."""
        return self.context.config.sync.payments and bool(
            loc8_payments_to_send(invoice, self.app_key)
        )

    def _no_contact_message(self) -> str:
        name = self.profile.name
        if self.context.config.sync.customers:
            return (
                f"The customer is not linked to a {name} contact yet (see the customers "
                "errors); the invoice is sent once it is."
            )
        return (
            f"The customer is not linked to a {name} contact; turn on customer sync so "
            "invoices can be sent."
        )

    def _app_item(self, app_item_id: str) -> AppItem | None:
        if self._app_items is None:
            self._app_items = {
                item.id: item for item in self.context.app.items() if item.id and item.code
            }
        return self._app_items.get(app_item_id)

    # --- creates ----------------------------------------------------------------------

    def _create(self, works: list[Work]) -> list[Work]:
        """Create in batches; returns the invoices an earlier attempt already created."""
        context = self.context
        counts = context.counts(DOMAIN, Direction.TO_APP)
        adopted, works = self._adopt_unsure(works)
        for batch in chunks(works, self.profile.write_batch_size):
            drafts = [w.draft for w in batch if w.draft is not None]
            sent_at = context.now().isoformat()
            self.ledger.unsure.update({w.invoice.id: sent_at for w in batch})
            self.save()  # the note is kept before the app can act on it
            results = context.app.create_invoices(
                drafts, batch_key(context.run.id, "create", batch, drafts)
            )
            made: list[Link] = []
            refs: list[tuple[Loc8Invoice, str]] = []
            taken: list[Work] = []
            for work, result in answers_for(batch, results):
                record = result.record
                if result.ok and record is not None and record.id:
                    made.append(self._link(work, record))
                    refs.append((work.invoice, record.id))
                    counts.created += 1
                    self.ledger.succeed(work.invoice.id)
                elif result.reason is WriteFailure.NUMBER_TAKEN:
                    taken.append(work)
                elif result.reason is WriteFailure.UNKNOWN:
                    self._fail(work.invoice, _message(result))  # stays unsure
                else:
                    self.ledger.unsure.pop(work.invoice.id, None)
                    self._fail(work.invoice, _message(result))
            context.links.save(context.scope, made)
            adopted += self._adopt(taken)
            self._record_refs(refs)
            self.checkpoint()
        return adopted

    def _adopt_unsure(self, works: list[Work]) -> tuple[list[Work], list[Work]]:
        """Invoices whose earlier create has no known outcome and whose idempotency key
        the app no longer remembers (or never did): adopted if the app has them, else
        left to create."""
        now = self.context.now()
        lifetime = self.profile.idempotency_key_lifetime
        look_up: list[Work] = []
        rest: list[Work] = []
        for work in works:
            sent_at = self.ledger.unsure.get(work.invoice.id)
            replayable = (
                sent_at is not None
                and lifetime is not None
                and now - datetime.fromisoformat(sent_at) < lifetime - KEY_MARGIN
            )
            (look_up if sent_at is not None and not replayable else rest).append(work)
        adopted: list[Work] = []
        for batch in chunks(look_up, self.profile.write_batch_size):
            found, missing = self._find_ours(batch)
            adopted += self._link_adopted(found)
            for work in missing:
                self.ledger.unsure.pop(work.invoice.id, None)
            rest += missing
        return adopted, rest

    def _adopt(self, works: Sequence[Work]) -> list[Work]:
        """The number is taken: if by the invoice an earlier attempt created, link it."""
        if not works:
            return []
        found, missing = self._find_ours(works)
        for work in missing:
            self.ledger.unsure.pop(work.invoice.id, None)
            self._fail(
                work.invoice,
                f"Invoice number {work.invoice.number} is already used by another "
                f"{self.profile.name} invoice; renumber one of them to send it.",
            )
        return self._link_adopted(found)

    def _find_ours(self, works: Sequence[Work]) -> tuple[list[tuple[Work, str]], list[Work]]:
        """Which of these the app holds as ours (with the app's id), and which not."""
        found = self.context.app.find_invoices([w.invoice.number for w in works])
        ours = ours_by_number({w.invoice.id: w.draft for w in works if w.draft}, found)
        held: list[tuple[Work, str]] = []
        missing: list[Work] = []
        for work in works:
            invoice = ours.get(work.invoice.id)
            if invoice is not None and invoice.id:
                held.append((work, invoice.id))
            else:
                missing.append(work)
        return held, missing

    def _link_adopted(self, found: list[tuple[Work, str]]) -> list[Work]:
        """Linked before anything else, so no later attempt can create another; the
        update step then brings the app's copy in line with the draft."""
        context = self.context
        adopted: list[Work] = []
        for work, app_id in found:
            link = Link(
                domain=DOMAIN,
                loc8_id=work.invoice.id,
                app_id=app_id,
                loc8_fingerprint=None,
                app_fingerprint=None,
                synced_at=context.now(),
            )
            self.ledger.unsure.pop(work.invoice.id, None)
            adopted.append(Work(work.invoice, link, work.loc8_print, work.draft, adopted=True))
        context.links.save(context.scope, [w.link for w in adopted if w.link is not None])
        self._record_refs([(w.invoice, w.link.app_id) for w in adopted if w.link])
        return adopted

    # --- updates and removals ---------------------------------------------------------

    def _update(self, works: list[Work]) -> None:
        context = self.context
        counts = context.counts(DOMAIN, Direction.TO_APP)
        for batch in chunks(works, self.profile.write_batch_size):
            app_ids = [w.link.app_id for w in batch if w.link is not None]
            existing = {i.id: i for i in context.app.get_invoices(app_ids)}
            to_send: list[tuple[Work, AppInvoice]] = []
            links: list[Link] = []
            for work in batch:
                assert work.link is not None
                current = existing.get(work.link.app_id)
                if current is None:
                    self._fail(work.invoice, f"The invoice is no longer in {self.profile.name}.")
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
                    self.ledger.succeed(work.invoice.id)
                    continue
                to_send.append((work, wanted))
            if to_send:
                bodies = [body for _, body in to_send]
                results = context.app.update_invoices(
                    bodies, batch_key(context.run.id, "update", [w for w, _ in to_send], bodies)
                )
                for (work, _body), result in answers_for(to_send, results):
                    record = result.record
                    if work.draft is None and result.reason is WriteFailure.HAS_PAYMENTS:
                        self._fail(work.invoice, self._voided_with_payments())
                        continue
                    if not result.ok or record is None:
                        self._fail(work.invoice, _message(result))
                        continue
                    links.append(self._link(work, record))
                    if work.adopted:
                        counts.created += 1
                    else:
                        counts.updated += 1
                    self.ledger.succeed(work.invoice.id)
            context.links.save(context.scope, links)
            self.checkpoint()

    def _wanted(self, work: Work, current: AppInvoice) -> AppInvoice | None:
        """What to send; `current` itself when nothing needs sending, None on a problem."""
        if work.draft is None:  # voided in Loc8
            if current.status in CLOSED:
                return current
            if has_payments(current):
                self._fail(work.invoice, self._voided_with_payments())
                return None
            return current.model_copy(
                update={"status": removal_status(current.status, self.profile)}
            )
        return update_for(work.draft, current) or current

    def _voided_with_payments(self) -> str:
        # The app refuses to void (or delete) an invoice that has payments.
        name = self.profile.name
        return (
            f"Voided in Loc8, but the {name} invoice has payments; remove them in {name} "
            "and it is voided on a later run."
        )

    # --- bookkeeping ------------------------------------------------------------------

    def _link(self, work: Work, record: AppInvoice) -> Link:
        # A paid/voided status seen here is left for the status pass to bring to Loc8,
        # unless this push itself removed the invoice.
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
            ref = invoice.external_ref(self.app_key)
            if ref is not None and ref.external_id == app_id:
                continue
            try:
                context.loc8.record_invoice_external_ref(
                    context.tenant_id,
                    invoice.id,
                    ExternalRef(
                        app=self.app_key,
                        external_id=app_id,
                        url=self.profile.invoice_url(app_id),
                    ),
                    idempotency_key=f"{context.scope.key(DOMAIN)}:ref:{invoice.id}:{app_id}",
                )
            except (Loc8NotFound, Loc8Conflict, Loc8ValidationFailed) as refused:
                context.record_error(DOMAIN, Direction.TO_APP, invoice.number, refused.message)

    def _fail(self, invoice: Loc8Invoice, message: str) -> None:
        self.context.record_error(DOMAIN, Direction.TO_APP, invoice.number, message)
        self.ledger.fail(invoice.id)
