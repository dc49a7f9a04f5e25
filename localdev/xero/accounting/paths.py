"""Xero's API paths are case-insensitive (/api.xro/2.0/contacts works); Flask's are not.

This WSGI middleware rewrites the collection segment to Xero's spelling before
routing, so every spelling reaches (and is counted under) the same endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

COLLECTIONS = ("Organisation", "Accounts", "TaxRates", "Contacts", "Items", "Invoices", "Payments")
_CANONICAL = {name.casefold(): name for name in COLLECTIONS}


class CaseInsensitivePaths:
    def __init__(self, app: WSGIApplication, prefix: str) -> None:
        self._app = app
        self._prefix = prefix

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[Any]:
        path: str = environ.get("PATH_INFO", "")
        prefix_length = len(self._prefix)
        if path[:prefix_length].casefold() == self._prefix.casefold():
            rest = path[prefix_length:].split("/")
            if len(rest) > 1:
                rest[1] = _CANONICAL.get(rest[1].casefold(), rest[1])
            environ["PATH_INFO"] = self._prefix + "/".join(rest)
        return self._app(environ, start_response)
