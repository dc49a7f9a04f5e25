"""A Loc8 invoice in an accounting app's terms: drafting, fingerprints, status rules.

Pure functions: what they need from the app or Loc8 (the contact's id, item codes,
tax codes, the app's profile) is passed in, so each rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from chalicelib.domain.accounting import AppInvoice, AppInvoiceLine, AppInvoiceStatus
from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval
from chalicelib.domain.links import fingerprint
from chalicelib.domain.loc8 import Loc8Invoice, Loc8InvoiceLine, Loc8InvoiceStatus
from chalicelib.domain.sync_config import InvoiceStatus, SyncConfig

CLOSED = frozenset({AppInvoiceStatus.VOIDED, AppInvoiceStatus.DELETED})


class Unsendable(Exception):
    """The invoice cannot be put into the app's terms; the message says why."""


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


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


def status_to_send(configured: InvoiceStatus | None, profile: AppProfile) -> AppInvoiceStatus:
    """The configured status (none: draft where the app has drafts); an app without
    drafts gets the invoice approved."""
    if configured is None:
        configured = InvoiceStatus.DRAFT
    if configured is InvoiceStatus.DRAFT and profile.has_draft_invoices:
        return AppInvoiceStatus.DRAFT
    return AppInvoiceStatus.APPROVED


def removal_status(current: AppInvoiceStatus, profile: AppProfile) -> AppInvoiceStatus:
    """How an invoice voided in Loc8 leaves the app, by the app's rule for its status."""
    approved = current is AppInvoiceStatus.APPROVED
    if profile.removal_for(approved) is InvoiceRemoval.DELETE:
        return AppInvoiceStatus.DELETED
    return AppInvoiceStatus.VOIDED


def account_for(
    config: SyncConfig, line: Loc8InvoiceLine, item_account: Callable[[str], str | None]
) -> str | None:
    """The account a line is coded to: the line item's explicit mapping, else the sales
    account its item already has in the app (an unmapped item is never re-coded), else
    the default."""
    if not line.line_item_id:
        return config.default_account_code
    mapped = config.line_item_accounts.get(line.line_item_id)
    return mapped or item_account(line.line_item_id) or config.default_account_code


def draft_invoice(
    invoice: Loc8Invoice,
    *,
    contact_id: str,
    config: SyncConfig,
    profile: AppProfile,
    tax_code: Callable[[str | None], str | None],
    item_code: Callable[[str], str | None],
    item_account: Callable[[str], str | None],
    web_url: str,
) -> AppInvoice:
    """The app invoice for a Loc8 one. `tax_code` gives the app's tax code for a Loc8
    one (None: no equivalent), `item_code` and `item_account` the code and sales account
    of the app item linked to a Loc8 line item id (None: not linked, or no account).
    `Unsendable` when a line cannot be put in the app."""
    lines = []
    for line in invoice.lines:
        tax_type = tax_code(line.tax_type_code)
        if tax_type is None:
            raise Unsendable(
                f"Tax type {line.tax_type_code} on '{line.description}' has no "
                f"{profile.name} equivalent; choose its {profile.name} tax rate in the "
                "settings, or re-code the line."
            )
        lines.append(
            AppInvoiceLine(
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_price,
                account_code=account_for(config, line, item_account),
                tax_type=tax_type,
                item_code=item_code(line.line_item_id) if line.line_item_id else None,
            )
        )
    return AppInvoice(
        number=invoice.number,
        contact_id=contact_id,
        status=status_to_send(config.invoice_status, profile),
        date=invoice.issue_date,
        due_date=invoice.due_date,
        reference=invoice.reference or None,
        url=f"{web_url.rstrip('/')}/invoices/{invoice.id}" if web_url else None,
        lines=lines,
    )


def update_for(draft: AppInvoice, current: AppInvoice) -> AppInvoice | None:
    """What to send to make the app's `current` copy match `draft`; None when it already
    does (or can no longer change and matches in content).

    The app's line ids are kept in order, so it edits its lines rather than replacing
    them; an invoice is never moved back along the approval path (approved in the app
    while the config says draft, say)."""
    lines = [
        line.model_copy(update={"id": current.lines[index].id})
        if index < len(current.lines)
        else line
        for index, line in enumerate(draft.lines)
    ]
    status = draft.status
    if current.status.is_editable and current.status.rank > status.rank:
        status = current.status
    wanted = draft.model_copy(update={"id": current.id, "lines": lines, "status": status})
    if content(wanted) == content(current) and (
        wanted.status == current.status or not current.status.is_editable
    ):
        return None
    return wanted


def has_payments(current: AppInvoice) -> bool:
    return current.status is AppInvoiceStatus.PAID or (current.amount_paid or 0) > 0


def same_origin(draft: AppInvoice, found: AppInvoice) -> bool:
    """Whether an app invoice with the draft's number is one an earlier attempt of ours
    created (its reply lost): same contact and our link back to Loc8 (or reference)."""
    if found.status is AppInvoiceStatus.DELETED or not found.id:
        return False
    if found.number.casefold() != draft.number.casefold():
        return False
    if found.contact_id != draft.contact_id:
        return False
    if draft.url:
        return (found.url or "") == draft.url
    return (found.reference or None) == draft.reference


def ours_by_number(
    drafts: Mapping[str, AppInvoice], found: list[AppInvoice]
) -> dict[str, AppInvoice | None]:
    """For each key's draft, the one app invoice of the same origin; None when there is
    none, or more than one (then it is not ours to pick)."""
    result: dict[str, AppInvoice | None] = {}
    for key, draft in drafts.items():
        ours = [invoice for invoice in found if same_origin(draft, invoice)]
        result[key] = ours[0] if len(ours) == 1 else None
    return result
