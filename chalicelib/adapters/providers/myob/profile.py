"""MYOB Business's limits and rules, as the syncers need them.

Sources: MYOB's API reference (developer.myob.com, v2 contact/customer, inventory/item,
sale/invoice, sale/customerpayment), its error and header pages, and MYOB's community
answers on the per-key limits. Where a limit is not published the smaller plausible
one is taken: a value cut here is never refused by MYOB.
"""

from __future__ import annotations

from chalicelib.domain.app_profile import AppProfile, InvoiceRemoval

MYOB_PROFILE = AppProfile(
    key="myob",
    name="MYOB Business",
    # MYOB has no batch endpoint: every record is its own request. A core batch is one
    # second's worth of the per-key limit (8 calls a second), so the budget is checked
    # between seconds of work.
    write_batch_size=8,
    # Customers are looked up by name in one `$filter` of `or`ed comparisons; the
    # filter travels in the URL, so the list stays short.
    lookup_batch_size=10,
    # Contact/Customer: CompanyName "max 50 characters" (Loc8 customers are companies).
    contact_name_max_length=50,
    # Inventory/Item: Number and Name "max 30 characters".
    item_name_max_length=30,
    item_code_max_length=30,
    # An account is named by its DisplayID, e.g. "4-1000" (a digit, a dash, four digits).
    account_code_max_length=6,
    # Addresses[].Phone1 "max 21 characters".
    phone_max_length=21,
    # MYOB's sales invoices are open (awaiting payment) once recorded: no drafts.
    has_draft_invoices=False,
    # MYOB cannot void a sale through the API; it deletes it (a sale with payments is
    # refused, and reported).
    remove_unapproved_invoice=InvoiceRemoval.DELETE,
    remove_approved_invoice=InvoiceRemoval.DELETE,
    # MYOB has no idempotency key: a repeated POST is a second record. The sync looks an
    # unsure record up by its natural key (invoice number, customer name, item number)
    # before sending it again.
    idempotency_key_lifetime=None,
    # The sale's page in MYOB's web app needs the file's serial and region as well as
    # the sale's UID; nothing the adapter can build from the UID alone.
    invoice_url_template=None,
    # The per-second limit is paced before each call (limits.py); this margin only
    # matters once a refusal has emptied the budget.
    min_calls_left=1,
)
