"""One folder per accounting app; this list registers each folder's provider.

Besides the catalogue (`chalicelib.domain.apps`), this is the one place outside a
provider's folder that names an app.
"""

from __future__ import annotations

from chalicelib.adapters.providers.myob import MYOB
from chalicelib.adapters.providers.quickbooks import QUICKBOOKS
from chalicelib.adapters.providers.registry import Provider
from chalicelib.adapters.providers.xero import XERO

PROVIDERS: tuple[Provider, ...] = (XERO, QUICKBOOKS, MYOB)
