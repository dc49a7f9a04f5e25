"""Xero's Accounting API for one organisation: requests, typed errors, rate budget."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.adapters.providers.xero.failures import (
    rate_budget,
    rate_limit_problem,
    write_failure,
)
from chalicelib.adapters.providers.xero.mappers import (
    account_from_xero,
    contact_from_xero,
    contact_to_xero,
    invoice_from_xero,
    invoice_to_xero,
    item_from_xero,
    item_to_xero,
    payment_from_xero,
    payment_to_xero,
    tax_rate_from_xero,
)
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.adapters.providers.xero.url_limits import MAX_IDS, batches, fits
from chalicelib.domain.accounting import (
    Account,
    AppContact,
    AppContactDraft,
    AppInvoice,
    AppItem,
    AppPage,
    AppPayment,
    AppPaymentDraft,
    RateBudget,
    TaxRate,
    WriteResult,
)
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import (
    AccessRevoked,
    AccessTokenRejected,
    NotFound,
    ProviderRejected,
)

APP_NAME = XERO_PROFILE.name
# Xero's largest page (spec: pageSize up to 1000).
PAGE_SIZE = 1000
# Loc8 prices carry up to 4 decimal places; without unitdp=4 Xero rounds unit amounts
# to 2 and works out other line totals than Loc8's.
INVOICE_UNITDP = "4"


def _modified_since_header(moment: datetime | None) -> dict[str, str]:
    if moment is None:
        return {}
    return {"If-Modified-Since": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")}


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _contact_query(clauses: list[str]) -> dict[str, str]:
    return {"where": " OR ".join(clauses), "includeArchived": "false"}


def validation_messages(body: Any) -> list[str]:
    """Xero's messages from a ValidationException body, in element order."""
    if not isinstance(body, dict):
        return []
    messages: list[str] = []
    for element in body.get("Elements") or []:
        for error in element.get("ValidationErrors") or []:
            if error.get("Message"):
                messages.append(str(error["Message"]))
    if not messages and body.get("Message"):
        messages.append(str(body["Message"]))
    return messages


class XeroAccounting:
    """Calls for one Xero organisation (`tenant_id`).

    `access_token(force_refresh)` supplies the bearer token; a 401 is answered by one
    forced refresh and one retry, since Xero may end a token before its stated expiry.
    """

    def __init__(
        self,
        *,
        api_url: str,
        tenant_id: str,
        access_token: Callable[[bool], str],
        timeout: tuple[float, float],
        session: requests.Session,
    ) -> None:
        self._base = f"{api_url.rstrip('/')}/api.xro/2.0"
        self._tenant_id = tenant_id
        self._access_token = access_token
        self._timeout = timeout
        self._session = session
        self._budget = RateBudget()

    @property
    def profile(self) -> AppProfile:
        return XERO_PROFILE

    def rate_budget(self) -> RateBudget:
        return self._budget

    def accounts(self) -> list[Account]:
        body = self.get("Accounts", operation="get_accounts")
        parsed = (account_from_xero(account) for account in body.get("Accounts") or [])
        return [account for account in parsed if account is not None]

    def tax_rates(self) -> list[TaxRate]:
        body = self.get("TaxRates", operation="get_tax_rates")
        parsed = (tax_rate_from_xero(rate) for rate in body.get("TaxRates") or [])
        return [rate for rate in parsed if rate is not None]

    # --- paged reads: oldest change first, so a pass can resume from a saved page ---

    def contact_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppContact]]:
        return self._pages("Contacts", contact_from_xero, modified_since, start_page, {})

    def invoice_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppInvoice]]:
        return self._pages(
            "Invoices", invoice_from_xero, modified_since, start_page, {"where": 'Type=="ACCREC"'}
        )

    def payment_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppPayment]]:
        return self._pages("Payments", payment_from_xero, modified_since, start_page, {})

    def items(self, modified_since: datetime | None = None) -> list[AppItem]:
        body = self.get(
            "Items", operation="get_items", headers=_modified_since_header(modified_since)
        )
        return [item_from_xero(item) for item in body.get("Items") or []]

    def expect_changes_since(self, since: datetime | None) -> None:
        # Each kind of record is its own read here; nothing to read ahead.
        return None

    def item_pages(self, modified_since: datetime | None) -> Iterator[AppPage[AppItem]]:
        # Xero answers every item in one response.
        yield AppPage(records=self.items(modified_since), page=1, last=True)

    def find_contacts(self, *, names: list[str], emails: list[str]) -> list[AppContact]:
        """Active contacts with any of these names or (case-insensitive) emails, in as
        few calls as Xero's URL limit allows (each contact once)."""
        clauses = [f'Name=="{_quote(name)}"' for name in names]
        # A method on an optional field needs Xero's null guard before it.
        clauses += [
            f'(EmailAddress!=null&&EmailAddress.ToLower()=="{_quote(email.lower())}")'
            for email in emails
        ]
        found: dict[str, AppContact] = {}
        for group in batches(clauses, lambda group: self._fits("Contacts", _contact_query(group))):
            body = self.get("Contacts", operation="find_contacts", params=_contact_query(group))
            for record in body.get("Contacts") or []:
                contact = contact_from_xero(record)
                found.setdefault(contact.id, contact)
        return list(found.values())

    def find_invoices(self, numbers: list[str]) -> list[AppInvoice]:
        """Sales invoices by number, with their line items: Xero lists an invoice's lines
        only when the read names a page."""
        found: dict[str, AppInvoice] = {}

        def query(group: list[str]) -> dict[str, str]:
            return {"InvoiceNumbers": ",".join(group), "where": 'Type=="ACCREC"', "page": "1"}

        for group in batches(numbers, lambda group: self._fits("Invoices", query(group))):
            body = self.get("Invoices", operation="find_invoices", params=query(group))
            for record in body.get("Invoices") or []:
                invoice = invoice_from_xero(record)
                found.setdefault(invoice.id or invoice.number, invoice)
        return list(found.values())

    def get_invoices(self, ids: list[str]) -> list[AppInvoice]:
        """Sales invoices by InvoiceID, with their line items (and LineItemIDs).

        Asked as a page: Xero leaves line items out of a multi-invoice answer otherwise.
        At most MAX_IDS ids per call (fewer than a page holds), within Xero's URL limit.
        """

        def query(group: list[str]) -> dict[str, str]:
            return {"IDs": ",".join(group), "page": "1", "unitdp": INVOICE_UNITDP}

        def accepts(group: list[str]) -> bool:
            return len(group) <= MAX_IDS and self._fits("Invoices", query(group))

        found: list[AppInvoice] = []
        for group in batches(ids, accepts):
            body = self.get("Invoices", operation="get_invoices", params=query(group))
            found += [invoice_from_xero(invoice) for invoice in body.get("Invoices") or []]
        return found

    def _fits(self, path: str, params: Mapping[str, str]) -> bool:
        return fits(f"{self._base}/{path}", params)

    # --- batched writes: every element answered separately (summarizeErrors=false) ---

    def create_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._write(
            "PUT",
            "Contacts",
            [contact_to_xero(d) for d in drafts],
            contact_from_xero,
            idempotency_key,
        )

    def update_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._write(
            "POST",
            "Contacts",
            [contact_to_xero(d) for d in drafts],
            contact_from_xero,
            idempotency_key,
        )

    def save_items(self, items: list[AppItem], idempotency_key: str) -> list[WriteResult[AppItem]]:
        return self._write(
            "POST", "Items", [item_to_xero(i) for i in items], item_from_xero, idempotency_key
        )

    def create_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        return self._write(
            "PUT",
            "Invoices",
            [invoice_to_xero(i) for i in invoices],
            invoice_from_xero,
            idempotency_key,
            params={"unitdp": INVOICE_UNITDP},
        )

    def update_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        return self._write(
            "POST",
            "Invoices",
            [invoice_to_xero(i) for i in invoices],
            invoice_from_xero,
            idempotency_key,
            params={"unitdp": INVOICE_UNITDP},
        )

    def create_payments(
        self, payments: list[AppPaymentDraft], idempotency_key: str
    ) -> list[WriteResult[AppPayment]]:
        return self._write(
            "PUT",
            "Payments",
            [payment_to_xero(p) for p in payments],
            payment_from_xero,
            idempotency_key,
        )

    def _pages(
        self,
        collection: str,
        parse: Callable[[dict[str, Any]], Any],
        modified_since: datetime | None,
        start_page: int,
        params: Mapping[str, str],
    ) -> Iterator[AppPage[Any]]:
        page = start_page
        while True:
            body = self.get(
                collection,
                operation=f"list_{collection.lower()}",
                params={
                    **params,
                    "page": str(page),
                    "pageSize": str(PAGE_SIZE),
                    "order": "UpdatedDateUTC ASC",
                },
                headers=_modified_since_header(modified_since),
            )
            records = [parse(record) for record in body.get(collection) or []]
            pagination = body.get("pagination") or {}
            page_count = pagination.get("pageCount")
            last = len(records) < PAGE_SIZE if page_count is None else page >= int(page_count)
            yield AppPage(records=records, page=page, last=last)
            if last:
                return
            page += 1

    def _write(
        self,
        method: str,
        collection: str,
        elements: list[dict[str, Any]],
        parse: Callable[[dict[str, Any]], Any],
        idempotency_key: str,
        params: Mapping[str, str] | None = None,
    ) -> list[WriteResult[Any]]:
        if len(elements) > XERO_PROFILE.write_batch_size:
            raise ValueError(
                f"Xero takes at most {XERO_PROFILE.write_batch_size} elements per request here."
            )
        body = self._call(
            method,
            collection,
            operation=f"{method.lower()}_{collection.lower()}",
            params={**(params or {}), "summarizeErrors": "false"},
            headers={"Idempotency-Key": idempotency_key[:128]},
            json_body={collection: elements},
        )
        results: list[WriteResult[Any]] = []
        for element in body.get(collection) or []:
            errors = [
                str(error.get("Message"))
                for error in element.get("ValidationErrors") or []
                if error.get("Message")
            ]
            failed = element.get("StatusAttributeString") == "ERROR" or bool(errors)
            if failed:
                results.append(WriteResult(ok=False, errors=errors, reason=write_failure(errors)))
            else:
                results.append(WriteResult(ok=True, record=parse(element)))
        return results

    def get(
        self,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return self._call("GET", path, operation=operation, params=params, headers=headers)

    def _call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        try:
            return self._call_once(method, path, operation, params, headers, json_body, False)
        except AccessTokenRejected:
            return self._call_once(method, path, operation, params, headers, json_body, True)

    def _call_once(
        self,
        method: str,
        path: str,
        operation: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        json_body: Any,
        force_refresh: bool,
    ) -> dict[str, Any]:
        request_headers = {
            "Authorization": f"Bearer {self._access_token(force_refresh)}",
            "xero-tenant-id": self._tenant_id,
            "Accept": "application/json",
            **(headers or {}),
        }
        response = send(
            APP_NAME,
            operation,
            self._session,
            method,
            f"{self._base}/{path}",
            params=params,
            headers=request_headers,
            json=json_body,
            timeout=self._timeout,
            rate_limit_problem=rate_limit_problem,
        )
        self._budget = rate_budget(response) or self._budget
        return self._body_or_raise(response)

    @staticmethod
    def _body_or_raise(response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise AccessTokenRejected("Xero refused the access token.")
        if status == 403:
            raise AccessRevoked("Xero no longer grants access to this organisation; reconnect.")
        if status == 404:
            raise NotFound("Xero has no such record.")
        try:
            body = response.json()
        except ValueError:
            body = None
        if status == 400:
            messages = validation_messages(body) or [f"Xero refused the request (HTTP {status})."]
            raise ProviderRejected("; ".join(messages))
        if not 200 <= status < 300 or not isinstance(body, dict):
            raise ProviderRejected(f"Xero answered unexpectedly (HTTP {status}).")
        return body
