"""Payments both ways, and status from the app → Loc8, for the invoices the invoices
step sent.

With the payments switch on, payments taken in Loc8 go to the app first
(`sync/payments_push.py`). Then two passes, each with its own cursor, both reading
only what changed in the app (they run whenever invoices sync, as they always did):
- payments: each payment on a linked invoice is recorded in Loc8 once (Loc8 keeps
  one payment per (app, payment id), and the payment id is also the idempotency
  key). A payment the push made (linked to its Loc8 payment) is ours and never
  comes back; while a push's outcome is unknown, the payments of that invoice wait,
  so one whose answer was lost is not taken for the app's own. A payment deleted in
  the app cannot be taken back through Loc8's API, so it is reported for someone to
  reverse in Loc8.
- statuses: a linked invoice the app shows as paid makes Loc8's paid; voided (or
  deleted) makes it voided. The status last acted on is the link's app fingerprint,
  so the echo of our own writes and invoices seen again cost no Loc8 call.

The app's pages are walked by `sync.paging`, so a record changed mid-walk cannot
shift another past us.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from chalicelib.domain.accounting import AppInvoice, AppInvoiceStatus, AppPayment, RecordStatus
from chalicelib.domain.links import Link
from chalicelib.domain.loc8 import Loc8Invoice, Loc8InvoiceStatus, Loc8PaymentDraft
from chalicelib.domain.loc8_errors import (
    Loc8Conflict,
    Loc8NotFound,
    Loc8ValidationFailed,
    Loc8VersionConflict,
)
from chalicelib.sync import invoices
from chalicelib.sync.framework import Direction, SyncContext
from chalicelib.sync.paging import walk_app_pages
from chalicelib.sync.payments_push import PaymentPush, unsure_app_invoices

DOMAIN = "payments"
# App payments recorded in Loc8, by app payment id, each naming its Loc8 invoice: an app
# that reports a deleted payment without its invoice (a tombstone) is still understood.
RECORDED = "payments#recorded"
PAYMENTS_CURSOR = "payments#app"
STATUS_CURSOR = "invoices#app"
# Loc8 writes between budget checks within one page of the app's records.
CHECK_EVERY = 50
VERSION_RETRIES = 3
TARGET_STATUS = {
    AppInvoiceStatus.PAID: Loc8InvoiceStatus.PAID,
    AppInvoiceStatus.VOIDED: Loc8InvoiceStatus.VOIDED,
    AppInvoiceStatus.DELETED: Loc8InvoiceStatus.VOIDED,
}


class PaymentsSyncer:
    domain = DOMAIN
    app_positions = (PAYMENTS_CURSOR, STATUS_CURSOR)

    def sync(self, context: SyncContext) -> None:
        if context.config.sync.payments:
            PaymentPush(context).run()
        context.counts(DOMAIN, Direction.TO_LOC8)  # reported even when no payment came
        held = unsure_app_invoices(context)
        walk_app_pages(
            context,
            PAYMENTS_CURSOR,
            context.app.payment_pages,
            lambda payments: self._payments(context, payments, held),
        )
        walk_app_pages(
            context,
            STATUS_CURSOR,
            context.app.invoice_pages,
            lambda app_invoices: self._statuses(context, app_invoices),
        )

    # --- payments ---------------------------------------------------------------------

    def _payments(self, context: SyncContext, payments: list[AppPayment], held: set[str]) -> bool:
        links = context.links.by_app(
            context.scope, invoices.DOMAIN, {p.invoice_id for p in payments if p.invoice_id}
        )
        sent = context.links.by_app(context.scope, DOMAIN, [p.id for p in payments])
        if any(p.id not in sent and p.invoice_id in held for p in payments):
            return False  # may be ours, answer lost: the push settles it first
        recorded_before = context.links.by_app(
            context.scope,
            RECORDED,
            [p.id for p in payments if p.status is RecordStatus.ARCHIVED and p.id not in sent],
        )
        recorded_now: list[Link] = []
        written = 0
        for payment in payments:
            link = links.get(payment.invoice_id)
            if link is None and payment.id in recorded_before:
                link = recorded_before[payment.id]  # a deletion told without its invoice
            if link is None:
                continue  # not an invoice this integration sent
            if payment.id in sent:
                if payment.status is RecordStatus.ARCHIVED:
                    self._ours_deleted(context, payment, link)
                continue  # taken in Loc8 and sent from there: not brought back
            if payment.status is RecordStatus.ARCHIVED:
                self._deleted(context, payment, link)
            elif payment.amount > 0 and self._record(context, payment, link):
                recorded_now.append(
                    Link(
                        domain=RECORDED,
                        loc8_id=link.loc8_id,
                        app_id=payment.id,
                        synced_at=context.now(),
                    )
                )
            written += 1
            if written % CHECK_EVERY == 0:
                context.check_budget()
        context.links.save(context.scope, recorded_now)
        return True

    def _record(self, context: SyncContext, payment: AppPayment, link: Link) -> bool:
        """Record the app's payment on the linked Loc8 invoice; False if Loc8 refused."""
        app = context.integration.app
        draft = Loc8PaymentDraft(
            app=app,
            external_id=payment.id,
            amount=payment.amount.quantize(Decimal("0.01")),
            paid_on=payment.date,
            reference=(payment.reference or "")[:255] or None,
        )
        try:
            recorded = context.loc8.record_payment(
                context.tenant_id,
                link.loc8_id,
                draft,
                # Per integration: a reconnected one asks again and learns Loc8 had it.
                idempotency_key=f"{context.integration.id}:{app}-payment-{payment.id}",
            )
        except (Loc8Conflict, Loc8ValidationFailed, Loc8NotFound) as refused:
            context.record_error(
                DOMAIN, Direction.TO_LOC8, self._label(context, link), refused.message
            )
            return False
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        if recorded.newly_recorded:
            counts.created += 1
        else:
            counts.unchanged += 1
        return True

    def _deleted(self, context: SyncContext, payment: AppPayment, link: Link) -> None:
        app = context.integration.app
        try:
            invoice = context.loc8.get_invoice(context.tenant_id, link.loc8_id)
        except Loc8NotFound:
            return
        recorded = next(
            (p for p in invoice.payments if p.app == app and p.external_id == payment.id), None
        )
        if recorded is None:
            return  # deleted before it ever reached Loc8
        # Loc8's copy says what it was: a deletion may come without the payment's figures.
        context.record_error(
            DOMAIN,
            Direction.TO_LOC8,
            invoice.number,
            f"A payment of {recorded.amount} on {recorded.paid_on.isoformat()} was deleted in "
            f"{context.app_name} after it was recorded in Loc8; reverse it in Loc8 (and the "
            "invoice's paid status, if it no longer applies).",
        )

    def _ours_deleted(self, context: SyncContext, payment: AppPayment, link: Link) -> None:
        context.record_error(
            DOMAIN,
            Direction.TO_APP,
            self._label(context, link),
            f"A payment of {payment.amount} on {payment.date.isoformat()} taken in Loc8 was "
            f"deleted in {context.app_name}; Loc8 keeps it. Record it in {context.app_name} "
            "again, or reverse it in Loc8.",
        )

    @staticmethod
    def _label(context: SyncContext, link: Link) -> str:
        try:
            return context.loc8.get_invoice(context.tenant_id, link.loc8_id).number
        except Exception:  # only a label for the report; the error itself is what matters
            return link.loc8_id

    # --- statuses ---------------------------------------------------------------------

    def _statuses(self, context: SyncContext, app_invoices: Iterable[AppInvoice]) -> None:
        listed = [i for i in app_invoices if i.id]
        links = context.links.by_app(context.scope, invoices.DOMAIN, [i.id or "" for i in listed])
        changed: list[Link] = []
        written = 0
        for app_invoice in listed:
            link = links.get(app_invoice.id or "")
            if link is None:
                continue
            current = invoices.app_fingerprint(app_invoice)
            if link.app_fingerprint == current:
                continue
            target = TARGET_STATUS.get(app_invoice.status)
            if target is None:  # e.g. approved in the app: nothing for Loc8 to change
                changed.append(link.model_copy(update={"app_fingerprint": current}))
                continue
            updated = self._set_status(context, link, target)
            written += 1
            if updated is not None:
                loc8_print = link.loc8_fingerprint
                if target is Loc8InvoiceStatus.VOIDED:
                    # Voided for good: Loc8's echo must not read as an edit to send.
                    loc8_print = invoices.loc8_fingerprint(updated)
                changed.append(
                    link.model_copy(
                        update={
                            "app_fingerprint": current,
                            "loc8_fingerprint": loc8_print,
                            "synced_at": context.now(),
                        }
                    )
                )
            if written % CHECK_EVERY == 0:
                context.links.save(context.scope, changed)
                changed = []
                context.check_budget()
        context.links.save(context.scope, changed)

    def _set_status(
        self, context: SyncContext, link: Link, target: Loc8InvoiceStatus
    ) -> Loc8Invoice | None:
        counts = context.counts(invoices.DOMAIN, Direction.TO_LOC8)
        app = context.integration.app
        for _attempt in range(VERSION_RETRIES):
            try:
                invoice = context.loc8.get_invoice(context.tenant_id, link.loc8_id)
            except Loc8NotFound:
                return None
            if invoice.status is target:
                counts.unchanged += 1
                return invoice
            try:
                updated = context.loc8.set_invoice_status(
                    context.tenant_id,
                    invoice.id,
                    target,  # type: ignore[arg-type]
                    version=invoice.version,
                    idempotency_key=(
                        f"{app}-status-{link.app_id}-{target.value}-{invoice.version}"
                    ),
                )
            except Loc8VersionConflict:
                continue  # changed meanwhile: read it again
            except (Loc8Conflict, Loc8ValidationFailed) as refused:
                context.record_error(
                    invoices.DOMAIN,
                    Direction.TO_LOC8,
                    invoice.number,
                    f"{context.app_name} says the invoice is {target.value}, but Loc8 "
                    f"refused: {refused.message}",
                )
                return None
            counts.updated += 1
            return updated
        context.record_error(
            invoices.DOMAIN,
            Direction.TO_LOC8,
            link.loc8_id,
            "The invoice kept changing in Loc8; its status is brought over on a later run.",
        )
        return None
