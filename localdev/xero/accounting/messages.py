"""Validation messages, in one place so their provenance is reviewable.

The first group is worded as real Xero words them (seen in Xero's spec examples, its
SDK issues, or integrators' error logs); clients and support docs match on some of
these texts. The second group is the emulator's own wording, for rules Xero enforces
but whose exact text we have not seen; do not match on those in product code.
"""

from __future__ import annotations

# --- Xero's wording -----------------------------------------------------------------
CONTACT_NAME_TAKEN = (
    "The contact name {name} is already assigned to another contact. "
    "The contact name must be unique across all active contacts."
)
CONTACT_NUMBER_TAKEN = (
    "Another contact has this contact number. Please enter a unique contact number."
)
EMAIL_INVALID = "Email address must be valid."
INVOICE_NUMBER_TAKEN = "Invoice # must be unique."
CONTACT_REQUIRED = "A Contact must be specified for this type of transaction"
LINE_ITEMS_REQUIRED = "One or more line items must be specified"
DESCRIPTION_REQUIRED = "The description field is mandatory for each line item."
ACCOUNT_CODE_REQUIRED = "Account code must be specified"
ACCOUNT_NOT_VALID = "Account code '{code}' is not a valid code for this document."
ACCOUNT_ARCHIVED = (
    "Account code '{code}' has been archived, or has been deleted. "
    "Each line item must reference a valid account."
)
TAX_TYPE_UNKNOWN = (
    "The TaxType code {tax_type} does not exist or cannot be used for this type of transaction."
)
TAX_TYPE_NOT_FOR_ACCOUNT = (
    "The TaxType code '{tax_type}' cannot be used with account code '{code}'."
)
NOT_VALID_STATUS = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
INVOICE_NOT_FOUND = "Invoice could not be found"
PAYMENT_NOT_AUTHORISED = "Payments can only be made against Authorised documents"
PAYMENT_EXCEEDS_DUE = "Payment amount exceeds the amount outstanding on this document"
ACCOUNT_CODE_TAKEN = "Please enter a unique Code."
ACCOUNT_NAME_TAKEN = "Please enter a unique Name."
ACCOUNT_CODE_TOO_LONG = "Account Code is too long. Maximum of 10 characters allowed"
DUE_DATE_REQUIRED = "The document DueDate field must be specified."
ITEM_CODE_TAKEN = "Price List Item with Code '{code}' already exists"
ITEM_CODE_REQUIRED = "Price List Item Code must be supplied"

# --- The emulator's wording -----------------------------------------------------------
CONTACT_NAME_REQUIRED = "The contact name must be specified."
CONTACT_NOT_FOUND = "The contact with the specified ContactID could not be found."
CONTACT_ARCHIVED = "The contact {name} is archived and cannot be used on a new transaction."
CONTACT_ID_EXISTS = "A contact with this ContactID already exists; use POST to update it."
INVOICE_TYPE_REQUIRED = "The invoice Type must be ACCREC or ACCPAY."
INVOICE_ID_EXISTS = "An invoice with this InvoiceID already exists; use POST to update it."
INVOICE_STATUS_ON_CREATE = "A new invoice must be DRAFT, SUBMITTED or AUTHORISED."
INVOICE_TYPE_CHANGE = "The Type of an existing invoice cannot be changed."
CURRENCY_NOT_ENABLED = "The currency {currency} is not enabled for this organisation."
ITEM_CODE_UNKNOWN = "Item code '{code}' is not valid."
LINE_TOTAL_MISMATCH = (
    "The line total {given} does not match the expected line total {expected} "
    "(Quantity x UnitAmount less discount, rounded to 2 decimal places)."
)
ITEM_NOT_FOUND = "The item with the specified ItemID could not be found."
INVOICE_REQUIRED = "An Invoice (InvoiceID or InvoiceNumber) must be specified for the payment."
PAYMENT_ACCOUNT_REQUIRED = "An Account (AccountID or Code) must be specified for the payment."
PAYMENT_ACCOUNT_NOT_FOUND = "Account could not be found"
PAYMENT_ACCOUNT_INVALID = (
    "Payments can only be made to or from a BANK account, or an account with "
    "'Enable payments to this account' set."
)
PAYMENT_DATE_REQUIRED = "A payment Date must be specified."
PAYMENT_AMOUNT_POSITIVE = "The payment Amount must be greater than zero."
PAYMENT_DELETE_ONLY = "Only Status DELETED can be set on an existing payment."
PAYMENT_ALREADY_DELETED = "This payment has already been deleted."
ACCOUNT_FIELDS_REQUIRED = "Code, Name and Type must be specified for a new account."
ACCOUNT_SYSTEM_ARCHIVE = "System accounts cannot be archived or deleted."
TAX_RATE_NAME_REQUIRED = "Name must be specified for a tax rate."
TAX_RATE_NAME_TAKEN = "A tax rate named '{name}' already exists."
TAX_RATE_COMPONENTS_REQUIRED = "At least one tax component must be specified."
TAX_RATE_REPORT_TYPE_REQUIRED = "ReportTaxType must be specified for a tax rate in this region."
TAX_RATE_NOT_FOUND = "The tax rate {tax_type} could not be found."
