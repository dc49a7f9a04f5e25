"""TaxCode and TaxRate: read-only through the Accounting API.

QuickBooks creates tax codes and rates through its TaxService endpoint (not emulated);
`POST /taxcode` and `POST /taxrate` are refused as unsupported operations.
"""

from __future__ import annotations

from localdev.quickbooks.accounting import writes
from localdev.quickbooks.accounting.schema import TAX_CODE_KINDS, TAX_RATE_KINDS

TAX_CODE = writes.EntityKind(
    name="TaxCode", kinds=TAX_CODE_KINDS, read_only=frozenset(), build=None
)
TAX_RATE = writes.EntityKind(
    name="TaxRate", kinds=TAX_RATE_KINDS, read_only=frozenset(), build=None
)
