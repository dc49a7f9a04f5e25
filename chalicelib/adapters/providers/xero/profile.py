"""Xero's limits and rules, as the syncers need them.

Sources: Xero's Accounting API OpenAPI spec (github.com/XeroAPI/Xero-OpenAPI,
`xero_accounting.yaml`, v16) for field lengths and statuses, and Xero's developer
guides (developer.xero.com/documentation/...) for limits and idempotency.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval

XERO_PROFILE = AppProfile(
    key="xero",
    name="Xero",
    # Xero caps a request at 3.5 MB rather than a count, and its limits guide advises
    # batches of about 50 elements (guides/oauth2/limits).
    write_batch_size=50,
    # Contacts are found by a `where` filter in the query string, and Xero's front end
    # refuses a URL over about 2,090 characters (XeroAPI issue threads, see
    # url_limits.py). 10 names plus 10 emails make a filter of about 1,600 characters
    # as sent, so a lookup is one call; a longer one is split by the client.
    lookup_batch_size=10,
    # Spec: Contact.Name maxLength 255.
    contact_name_max_length=255,
    # Spec: Item.Name maxLength 50, Item.Code maxLength 30.
    item_name_max_length=50,
    item_code_max_length=30,
    # Spec: Account.Code "max length = 10".
    account_code_max_length=10,
    # Spec: Phone.PhoneNumber maxLength 50.
    phone_max_length=50,
    # Spec: Invoice.Status DRAFT|SUBMITTED|AUTHORISED|...: an invoice can wait unapproved.
    has_draft_invoices=True,
    # Xero's invoice guide: DELETED only from DRAFT or SUBMITTED, VOIDED only from
    # AUTHORISED (without payments).
    remove_unapproved_invoice=InvoiceRemoval.DELETE,
    remove_approved_invoice=InvoiceRemoval.VOID,
    # Xero's idempotency guide (guides/idempotent-requests/idempotency): a key is kept
    # for 6 minutes from its first use and the first answer replayed; the local Xero
    # emulator implements the same.
    idempotency_key_lifetime=timedelta(minutes=6),
    # The invoice's page in Xero's web app.
    invoice_url_template="https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}",
    # Xero allows 60 calls a minute per organisation (guides/oauth2/limits); keep a few
    # for the calls a job makes while it records its state and defers.
    min_calls_left=3,
)
