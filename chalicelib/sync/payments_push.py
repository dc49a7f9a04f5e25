"""Payments taken in Loc8 → the app, on the invoices the invoices step sent.

Each payment on a Loc8 invoice that did not come from this integration's app (Loc8
records those under the app's key) becomes one payment on the linked app invoice,
into the config's payment account. Loc8 invoices changed since the cursor are walked
by `sync.paging` (a payment bumps its invoice's change time, and so does the invoice
step recording where a newly sent invoice lives, so a payment waiting for its invoice
comes again once the invoice is sent).

Exactly once, whatever fails:
- a link per Loc8 payment id (→ the app's payment id) is saved right after each batch
  the app answered; a linked payment is never sent again, and the app → Loc8 pass
  knows it as ours and does not import it back;
- before a batch is sent its payments are noted as *unsure* (with the app invoice),
  and the note is saved. The batch carries an idempotency key made from the run and
  its body, so a continuation within the app's key lifetime gets the first answer
  replayed. An unsure payment is looked up on its app invoice before it is sent again
  (whatever the key lifetime: a payment twice is money counted twice) and linked if
  an earlier attempt made it. While any is unsure, the app → Loc8 pass holds back the
  payments of that invoice, so a payment whose answer was lost is never imported as
  the app's own;
- a draft app invoice cannot take a payment: it is approved first.

A payment the app refuses is reported and its invoice read again at the end of the
next pass; one that cannot go at all (the app invoice is voided, or already paid in
full) is reported once, and tried again when its Loc8 invoice changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib.domain.accounting import (
    AppInvoice,
    AppInvoiceStatus,
    AppPayment,
    AppPaymentDraft,
    WriteResult,
)
from chalicelib.domain.app_invoices import CLOSED
from chalicelib.domain.app_profile import WriteFailure
from chalicelib.domain.links import Link
from chalicelib.domain.loc8 import Loc8Invoice, Loc8InvoiceStatus, Loc8Payment
from chalicelib.domain.loc8_errors import Loc8NotFound
from chalicelib.domain.sync_run import Direction
from chalicelib.sync.framework import SyncContext
from chalicelib.sync.paging import walk_loc8_pages
from chalicelib.sync.positions import load_position, save_position
from chalicelib.sync.writes import answers_for, chunks

DOMAIN = "payments"
INVOICES = "invoices"
LOC8_CURSOR = "payments#loc8"
LEDGER = "payments#loc8-ledger"
# Invoices kept for retry, and payments remembered as reported; beyond these they wait
# for their invoice's next change in Loc8 (unsure payments are always kept).
RETRY_LIMIT = 500
REPORTED_LIMIT = 500
CENT = Decimal("0.01")
SENDABLE = frozenset({Loc8InvoiceStatus.ISSUED, Loc8InvoiceStatus.PAID})
UNAPPROVED = frozenset({AppInvoiceStatus.DRAFT, AppInvoiceStatus.AWAITING_APPROVAL})


@dataclass
class PaymentLedger:
    """What the push keeps between invocations, in the cursor store."""

    # Loc8 invoices to read again at the end of this pass (failed in the previous one).
    retry: list[str] = field(default_factory=list)
    # Loc8 invoices with a payment refused in this pass: the next pass's retries.
    failed: list[str] = field(default_factory=list)
    # Loc8 payment id → {"at": when sent (ISO), "invoice": the app invoice id}.
    unsure: dict[str, dict[str, str]] = field(default_factory=dict)
    # Loc8 payment id → its invoice's change time when reported as unsendable.
    reported: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, context: SyncContext) -> PaymentLedger:
        document = load_position(context, LEDGER)
        return cls(
            retry=list(document.get("retry") or []),
            failed=list(document.get("failed") or []),
            unsure=dict(document.get("unsure") or {}),
            reported=dict(document.get("reported") or {}),
        )

    def save(self, context: SyncContext) -> None:
        save_position(
            context,
            LEDGER,
            {
                "retry": self.retry,
                "failed": self.failed,
                "unsure": self.unsure,
                "reported": self.reported,
            },
        )

    def fail(self, invoice_id: str) -> None:
        if invoice_id not in self.failed:
            self.failed.append(invoice_id)

    def unsure_app_invoices(self) -> set[str]:
        return {note["invoice"] for note in self.unsure.values()}


def unsure_app_invoices(context: SyncContext) -> set[str]:
    """App invoices with a payment of ours whose outcome is not known yet."""
    return PaymentLedger.load(context).unsure_app_invoices()


def to_send(invoice: Loc8Invoice, app_key: str) -> list[Loc8Payment]:
    """The invoice's payments taken in Loc8 (not imported from this app), oldest first."""
    if invoice.status not in SENDABLE:
        return []
    taken = [payment for payment in invoice.payments if payment.app != app_key]
    return sorted(taken, key=lambda p: (p.paid_on, p.recorded_at, p.id))


def draft_for(payment: Loc8Payment, app_invoice_id: str, account_code: str) -> AppPaymentDraft:
    return AppPaymentDraft(
        invoice_id=app_invoice_id,
        account_code=account_code,
        amount=payment.amount.quantize(CENT),
        date=payment.paid_on,
        reference=payment.reference or None,
    )


def same_payment(draft: AppPaymentDraft, found: AppPayment) -> bool:
    """Whether an app payment is what sending `draft` made (its answer lost)."""
    return (
        found.amount.quantize(CENT) == draft.amount
        and found.date == draft.date
        and (found.reference or None) in (None, draft.reference)
    )


def batch_key(run_id: str, drafts: list[AppPaymentDraft], payment_ids: list[str]) -> str:
    """The same batch in the same run (a continuation after a lost answer) gets the
    same key, so the app replays its first answer."""
    digest = hashlib.sha256(f"{run_id}|{'|'.join(payment_ids)}|".encode())
    digest.update(json.dumps([d.model_dump(mode="json") for d in drafts], sort_keys=True).encode())
    return f"pay-create-{digest.hexdigest()[:40]}"


@dataclass
class _Payable:
    invoice: Loc8Invoice
    link: Link
    payments: list[Loc8Payment]
    current: AppInvoice | None = None


class PaymentPush:
    """One pass (or the rest of one) over the Loc8 invoices changed since the cursor."""

    def __init__(self, context: SyncContext) -> None:
        self.context = context
        self.app_key = context.integration.app
        self.profile = context.app.profile
        self.account_code = context.config.payment_account_code
        self.ledger = PaymentLedger.load(context)

    def run(self) -> None:
        context = self.context
        context.counts(DOMAIN, Direction.TO_APP)  # reported even when nothing was sent
        if not self.account_code:
            context.record_error(
                DOMAIN,
                Direction.TO_APP,
                None,
                f"No {context.app_name} account is chosen to receive payments taken in Loc8; "
                "choose one in the settings.",
            )
            return
        walk_loc8_pages(
            context,
            LOC8_CURSOR,
            lambda since, cursor: context.loc8.invoice_pages(
                context.tenant_id, updated_since=since, cursor=cursor
            ),
            self._page,
        )
        self._retries()

    # --- pages and retries ------------------------------------------------------------

    def _page(self, invoices: list[Loc8Invoice]) -> None:
        self.send(invoices)
        seen = {invoice.id for invoice in invoices}
        self.ledger.retry = [i for i in self.ledger.retry if i not in seen]
        self.ledger.save(self.context)

    def _retries(self) -> None:
        context = self.context
        while self.ledger.retry:
            batch = self.ledger.retry[: self.profile.write_batch_size]
            invoices = []
            for invoice_id in batch:
                try:
                    invoices.append(context.loc8.get_invoice(context.tenant_id, invoice_id))
                except Loc8NotFound:
                    continue
            self.send(invoices)
            self.ledger.retry = self.ledger.retry[len(batch) :]
            self._checkpoint()
        self._end_pass()

    def _end_pass(self) -> None:
        ledger = self.ledger
        # An invoice with a payment of unknown outcome is never dropped: it may be paid.
        unsure_invoices = {note["loc8_invoice"] for note in ledger.unsure.values()}
        kept = [i for i in ledger.failed if i in unsure_invoices]
        kept += [i for i in ledger.failed if i not in unsure_invoices][
            : max(RETRY_LIMIT - len(kept), 0)
        ]
        dropped = len(ledger.failed) - len(kept)
        if dropped:
            self.context.record_error(
                DOMAIN,
                Direction.TO_APP,
                None,
                f"{dropped} more invoices have payments that failed; they are tried again "
                "when they next change in Loc8.",
            )
        ledger.retry, ledger.failed = kept, []
        if len(ledger.reported) > REPORTED_LIMIT:
            ledger.reported = dict(list(ledger.reported.items())[-REPORTED_LIMIT:])
        ledger.save(self.context)

    def _checkpoint(self) -> None:
        self.ledger.save(self.context)
        self.context.check_budget()

    # --- one set of invoices ----------------------------------------------------------

    def send(self, invoices: list[Loc8Invoice]) -> None:
        context = self.context
        wanted = {invoice.id: to_send(invoice, self.app_key) for invoice in invoices}
        payment_ids = [p.id for payments in wanted.values() for p in payments]
        if not payment_ids:
            self._forget_settled(wanted)
            return
        linked = context.links.by_loc8(context.scope, DOMAIN, payment_ids)
        pending = {
            invoice_id: [p for p in payments if p.id not in linked]
            for invoice_id, payments in wanted.items()
        }
        self._forget_settled(pending)
        by_id = {invoice.id: invoice for invoice in invoices}
        invoice_links = context.links.by_loc8(
            context.scope, INVOICES, [i for i, payments in pending.items() if payments]
        )
        # An invoice not sent yet is left: recording where it lives in the app, once
        # it is sent, brings it back through the pages.
        payables = [
            _Payable(by_id[invoice_id], invoice_links[invoice_id], payments)
            for invoice_id, payments in pending.items()
            if payments and invoice_id in invoice_links
        ]
        for batch in chunks(payables, self.profile.write_batch_size):
            self._send_batch(list(batch))

    def _forget_settled(self, pending: dict[str, list[Loc8Payment]]) -> None:
        """Unsure notes of these invoices' payments that are linked (or gone) are done."""
        still = {p.id for payments in pending.values() for p in payments}
        for payment_id, note in list(self.ledger.unsure.items()):
            if note["loc8_invoice"] in pending and payment_id not in still:
                del self.ledger.unsure[payment_id]

    def _send_batch(self, payables: list[_Payable]) -> None:
        context = self.context
        current = {i.id: i for i in context.app.get_invoices([p.link.app_id for p in payables])}
        ready: list[_Payable] = []
        for payable in payables:
            payable.current = current.get(payable.link.app_id)
            payable.payments = self._not_adopted(payable)
            if payable.payments and self._payable(payable):
                ready.append(payable)
        ready = self._approve(ready)
        work = [(payable, payment) for payable in ready for payment in payable.payments]
        for batch in chunks(work, self.profile.write_batch_size):
            self._create(list(batch))

    def _payable(self, payable: _Payable) -> bool:
        """Whether the app invoice can take payments (approved first if a draft)."""
        current = payable.current
        name = self.profile.name
        if current is None:
            self._unsendable(payable, f"The invoice is no longer in {name}.")
            return False
        if current.status in CLOSED:
            self._unsendable(
                payable,
                f"The {name} invoice is {current.status.lower()}, so the payment taken in "
                "Loc8 cannot be recorded on it.",
            )
            return False
        if current.status is AppInvoiceStatus.PAID:
            self._unsendable(
                payable,
                f"The {name} invoice is already paid in full; the payment taken in Loc8 "
                f"was not recorded in {name} again.",
            )
            return False
        return True

    # --- adoption ---------------------------------------------------------------------

    def _not_adopted(self, payable: _Payable) -> list[Loc8Payment]:
        """Link the unsure payments an earlier attempt made; the rest still to send."""
        current = payable.current
        unsure = [p for p in payable.payments if p.id in self.ledger.unsure]
        if not unsure or current is None:
            return payable.payments
        context = self.context
        # App payments that are someone else's: linked to another Loc8 payment, or
        # imported into Loc8 as the app's own.
        taken = set(context.links.by_app(context.scope, DOMAIN, [p.id for p in current.payments]))
        taken |= {p.external_id for p in payable.invoice.payments if p.app == self.app_key}
        free = [p for p in current.payments if p.id not in taken]
        adopted: list[Link] = []
        for payment in unsure:
            draft = draft_for(payment, payable.link.app_id, self.account_code or "")
            match = next((found for found in free if same_payment(draft, found)), None)
            self.ledger.unsure.pop(payment.id, None)
            if match is not None:
                free.remove(match)
                adopted.append(self._link(payment, match.id))
        context.links.save(context.scope, adopted)
        context.counts(DOMAIN, Direction.TO_APP).created += len(adopted)
        done = {link.loc8_id for link in adopted}
        if adopted:
            self.ledger.save(context)
        return [p for p in payable.payments if p.id not in done]

    # --- approval and creates ---------------------------------------------------------

    def _approve(self, payables: list[_Payable]) -> list[_Payable]:
        """A draft cannot take a payment: approve the app invoices that are drafts."""
        drafts = [p for p in payables if p.current and p.current.status in UNAPPROVED]
        if not drafts:
            return payables
        context = self.context
        bodies = [
            p.current.model_copy(update={"status": AppInvoiceStatus.APPROVED})
            for p in drafts
            if p.current
        ]
        digest = hashlib.sha256(
            json.dumps([b.model_dump(mode="json") for b in bodies], sort_keys=True).encode()
        ).hexdigest()[:40]
        results = context.app.update_invoices(bodies, f"pay-approve-{context.run.id}-{digest}")
        refused: set[str] = set()
        for payable, result in answers_for(drafts, results):
            if result.ok:
                context.counts(INVOICES, Direction.TO_APP).updated += 1
                continue
            refused.add(payable.invoice.id)
            self._failed(
                payable.invoice,
                payable.payments,
                f"The {self.profile.name} invoice is a draft and could not be approved to take "
                f"the payment: {_message(result)}",
            )
        return [p for p in payables if p.invoice.id not in refused]

    def _create(self, work: list[tuple[_Payable, Loc8Payment]]) -> None:
        context = self.context
        counts = context.counts(DOMAIN, Direction.TO_APP)
        drafts = [
            draft_for(payment, payable.link.app_id, self.account_code or "")
            for payable, payment in work
        ]
        sent_at = context.now().isoformat()
        for payable, payment in work:
            self.ledger.unsure[payment.id] = {
                "at": sent_at,
                "invoice": payable.link.app_id,
                "loc8_invoice": payable.invoice.id,
            }
        self.ledger.save(context)  # the note is kept before the app can act on it
        results = context.app.create_payments(
            drafts, batch_key(context.run.id, drafts, [payment.id for _, payment in work])
        )
        made: list[Link] = []
        for (payable, payment), result in answers_for(work, results):
            record = result.record
            if result.ok and record is not None and record.id:
                self.ledger.unsure.pop(payment.id, None)
                made.append(self._link(payment, record.id))
                counts.created += 1
                continue
            if result.reason is not WriteFailure.UNKNOWN:
                self.ledger.unsure.pop(payment.id, None)  # refused: nothing was made
            self._failed(payable.invoice, [payment], _message(result))
        context.links.save(context.scope, made)
        self._checkpoint()

    # --- bookkeeping ------------------------------------------------------------------

    def _link(self, payment: Loc8Payment, app_payment_id: str) -> Link:
        return Link(
            domain=DOMAIN,
            loc8_id=payment.id,
            app_id=app_payment_id,
            loc8_fingerprint=None,
            app_fingerprint=None,
            synced_at=self.context.now(),
        )

    def _failed(self, invoice: Loc8Invoice, payments: list[Loc8Payment], message: str) -> None:
        for payment in payments:
            self.context.record_error(
                DOMAIN, Direction.TO_APP, invoice.number, f"{_describe(payment)}: {message}"
            )
        self.ledger.fail(invoice.id)

    def _unsendable(self, payable: _Payable, message: str) -> None:
        """Reported once per change of the Loc8 invoice, not retried."""
        stamp = payable.invoice.updated_at.isoformat()
        for payment in payable.payments:
            if self.ledger.reported.get(payment.id) == stamp:
                continue
            self.ledger.reported[payment.id] = stamp
            self.context.record_error(
                DOMAIN,
                Direction.TO_APP,
                payable.invoice.number,
                f"{_describe(payment)}: {message}",
            )


def _describe(payment: Loc8Payment) -> str:
    return f"Payment of {payment.amount.quantize(CENT)} on {payment.paid_on.isoformat()}"


def _message(result: WriteResult[Any]) -> str:
    return "; ".join(result.errors) or "The app refused the payment without a reason."
