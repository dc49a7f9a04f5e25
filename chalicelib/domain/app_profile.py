"""What differs between accounting apps, declared by each provider as data.

The syncers read these values instead of knowing any app: a provider folder under
`chalicelib/adapters/providers/` builds one `AppProfile` and its `AccountingApp`
adapter exposes it as `profile`. Values a provider cannot state (an app without
an idempotency key, say) are `None`, and the syncers fall back to their safest path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class WriteFailure(StrEnum):
    """Why the app refused one record of a write, decided by the provider from its own
    error bodies; the syncers never read an app's message text to decide."""

    NUMBER_TAKEN = "NUMBER_TAKEN"  # a document number is already used by another record
    NAME_TAKEN = "NAME_TAKEN"  # a contact or item name is already used
    ARCHIVED_REFERENCE = "ARCHIVED_REFERENCE"  # uses an archived contact, item, account or tax
    LOCKED_PERIOD = "LOCKED_PERIOD"  # the date falls in a period the books have locked
    STALE_VERSION = "STALE_VERSION"  # the record changed in the app since it was read
    NOT_FOUND = "NOT_FOUND"  # the record to change no longer exists in the app
    NOT_EDITABLE = "NOT_EDITABLE"  # the app no longer lets this record change (paid, voided)
    HAS_PAYMENTS = "HAS_PAYMENTS"  # an invoice with payments cannot be changed or voided
    INVALID = "INVALID"  # any other validation refusal
    UNKNOWN = "UNKNOWN"  # the app answered without saying what happened to this record


class InvoiceRemoval(StrEnum):
    """How an invoice that was voided in Loc8 is taken out of the app."""

    VOID = "VOID"  # the app keeps it, marked void
    DELETE = "DELETE"  # the app deletes it


@dataclass(frozen=True)
class AppProfile:
    """An app's limits and rules that shape a sync."""

    key: str
    name: str
    # Records per write request; the app answers each one separately.
    write_batch_size: int
    # Names or emails looked up in one read request (bounded by the app's URL or query limits).
    lookup_batch_size: int
    contact_name_max_length: int
    item_name_max_length: int
    item_code_max_length: int
    account_code_max_length: int
    phone_max_length: int
    # Whether an invoice can exist unapproved (a draft) in the app.
    has_draft_invoices: bool
    # How a voided Loc8 invoice leaves the app, for an unapproved and for an approved copy.
    remove_unapproved_invoice: InvoiceRemoval
    remove_approved_invoice: InvoiceRemoval
    # How long the app replays the first answer for a repeated idempotency key; None: no keys.
    idempotency_key_lifetime: timedelta | None
    # Where a user opens an invoice in the app; `{id}` is the app's invoice id.
    invoice_url_template: str | None = None
    # Below this many calls left in the app's shortest rate window a job defers itself.
    min_calls_left: int = 3

    def invoice_url(self, invoice_id: str) -> str | None:
        if self.invoice_url_template is None:
            return None
        return self.invoice_url_template.format(id=invoice_id)

    def removal_for(self, approved: bool) -> InvoiceRemoval:
        return self.remove_approved_invoice if approved else self.remove_unapproved_invoice
