"""QuickBooks Online's limits and rules, as the syncers need them.

Sources: Intuit's Accounting API reference (developer.intuit.com, api-reference/
accounting: Customer, Item, Account, Invoice, batch), its limits-and-throttles page,
and the XSD Intuit publishes for the v3 entities (Finance.xsd, IntuitBaseTypes.xsd).
Where the two disagree the smaller limit is taken: a value cut here is never refused
by QuickBooks.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval

QUICKBOOKS_PROFILE = AppProfile(
    key="quickbooks",
    name="QuickBooks Online",
    # Batch guide: at most 30 operations per batch request are recommended (and the
    # 40-batches-a-minute limit is per request, so fuller batches cost fewer).
    write_batch_size=30,
    # Contacts are looked up with `DisplayName IN (...)` in one query; the query goes in
    # the URL, so the list stays short enough for any name of the maximum length.
    lookup_batch_size=10,
    # Customer reference: DisplayName "maximum of 500 chars".
    contact_name_max_length=500,
    # Item reference: Name "max 100 characters"; Sku "Max. length: 100" (Finance.xsd).
    # Loc8's code travels as the Sku, its name as the Name (see mappers.py).
    item_name_max_length=100,
    item_code_max_length=100,
    # An account is named by its QuickBooks Id (AcctNum is optional and off by default
    # in a new company), which QuickBooks assigns; the longest Id seen is well under 20.
    account_code_max_length=20,
    # IntuitBaseTypes.xsd TelephoneNumber.FreeFormNumber "Max length: 21 characters";
    # the API reference says 30 for Customer phones. The stricter one is taken.
    phone_max_length=21,
    # QuickBooks has no unapproved invoices: every invoice it holds is open for payment.
    has_draft_invoices=False,
    # Invoice reference: an invoice is voided (kept, amounts zeroed) with
    # operation=void, or deleted with operation=delete. Every invoice is approved, so
    # a Loc8 void voids it, keeping the audit trail an accountant expects.
    remove_unapproved_invoice=InvoiceRemoval.VOID,
    remove_approved_invoice=InvoiceRemoval.VOID,
    # Intuit documents `requestid` ("the same requestid returns the original response")
    # without saying for how long. The sync treats a key as remembered for 5 minutes
    # only - the local emulator's window too - and after that looks an unsure invoice
    # up by its number before creating it again, which is safe whatever Intuit keeps.
    idempotency_key_lifetime=timedelta(minutes=5),
    # The invoice's page in QuickBooks Online's web app.
    invoice_url_template="https://app.qbo.intuit.com/app/invoice?txnId={id}",
    # 500 requests a minute per company; keep a few for the calls a job makes while it
    # records its state and defers.
    min_calls_left=5,
)
