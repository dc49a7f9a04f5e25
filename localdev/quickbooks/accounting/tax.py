"""TaxCode and TaxRate: read-only through the Accounting API.

QuickBooks creates tax codes and rates through its TaxService endpoint (not emulated);
`POST /taxcode` and `POST /taxrate` are refused as unsupported operations.
"""

from __future__ import annotations

from localdev.quickbooks.accounting import writes
from localdev.quickbooks.accounting.schema import TAX_CODE_FIELDS, TAX_RATE_FIELDS

TAX_CODE = writes.EntityKind(
    name="TaxCode", fields=TAX_CODE_FIELDS, read_only=frozenset(), build=None
)
TAX_RATE = writes.EntityKind(
    name="TaxRate", fields=TAX_RATE_FIELDS, read_only=frozenset(), build=None
)
