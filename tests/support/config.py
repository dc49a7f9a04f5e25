"""A configuration the API accepts, for tests that need an ACTIVE integration."""

from __future__ import annotations

LABOUR = "li_labour"
CALLOUT = "li_callout"


def valid_config(**overrides) -> dict:
    body = {
        "sync": {"invoices": True, "line_items": True, "tax_rates": True, "customers": True},
        "invoice_status": "DRAFT",
        "default_account_code": "200",
        "line_item_accounts": {LABOUR: "200", CALLOUT: "260"},
    }
    body.update(overrides)
    return body
