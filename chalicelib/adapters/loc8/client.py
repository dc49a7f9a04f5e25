"""Loc8Api over HTTP: one pooled Session, explicit timeouts, retries, typed errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError

from chalicelib.adapters.loc8.errors import raise_for_problem
from chalicelib.adapters.loc8.retry import RetryPolicy, mount_retries
from chalicelib.domain.loc8 import (
    ExternalRef,
    Loc8Customer,
    Loc8CustomerDraft,
    Loc8Invoice,
    Loc8InvoiceStatus,
    Loc8LineItem,
    Loc8LineItemDraft,
    Loc8Payment,
    Loc8PaymentDraft,
    Loc8TaxType,
    Loc8TaxTypeChange,
    Loc8TaxTypeDraft,
    Page,
    RecordedPayment,
    iter_items,
)
from chalicelib.domain.loc8_errors import Loc8Error, Loc8Unavailable
from chalicelib.observability import logger

M = TypeVar("M", bound=BaseModel)

MAX_PAGE_SIZE = 500


class Loc8HttpApi:
    """The production Loc8Api.

    `token` returns the service credential (cached by AppSecrets, so a rotated secret
    is picked up without a cold start). The session is built here unless given; its
    retrying adapter is mounted for `base_url` only.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: Callable[[], str],
        timeout: tuple[float, float],
        retry: RetryPolicy | None = None,
        page_size: int = 200,
        session: requests.Session | None = None,
        sleeper: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url:
            raise ValueError("Loc8 core's URL is not configured (set LOC8_API_URL).")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._page_size = page_size
        self._session = session or requests.Session()
        mount_retries(self._session, self._base_url, retry or RetryPolicy(), sleeper)

    # Customers

    def customer_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8Customer]]:
        return self._pages(tenant_id, "customers", Loc8Customer, updated_since, cursor, limit)

    def iter_customers(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8Customer]:
        return iter_items(self.customer_pages(tenant_id, updated_since=updated_since))

    def get_customer(self, tenant_id: str, customer_id: str) -> Loc8Customer:
        body = self._call("get_customer", "GET", _path(tenant_id, "customers", customer_id))
        return _parse(Loc8Customer, body)

    def create_customer(
        self, tenant_id: str, draft: Loc8CustomerDraft, *, idempotency_key: str | None = None
    ) -> Loc8Customer:
        body = self._call(
            "create_customer",
            "POST",
            _path(tenant_id, "customers"),
            json=draft.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8Customer, body)

    def update_customer(
        self,
        tenant_id: str,
        customer_id: str,
        draft: Loc8CustomerDraft,
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8Customer:
        body = self._call(
            "update_customer",
            "PUT",
            _path(tenant_id, "customers", customer_id),
            json={**draft.model_dump(mode="json"), "version": version},
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8Customer, body)

    # Line items

    def line_item_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8LineItem]]:
        return self._pages(tenant_id, "line-items", Loc8LineItem, updated_since, cursor, limit)

    def iter_line_items(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8LineItem]:
        return iter_items(self.line_item_pages(tenant_id, updated_since=updated_since))

    def get_line_item(self, tenant_id: str, line_item_id: str) -> Loc8LineItem:
        body = self._call("get_line_item", "GET", _path(tenant_id, "line-items", line_item_id))
        return _parse(Loc8LineItem, body)

    def create_line_item(
        self, tenant_id: str, draft: Loc8LineItemDraft, *, idempotency_key: str | None = None
    ) -> Loc8LineItem:
        body = self._call(
            "create_line_item",
            "POST",
            _path(tenant_id, "line-items"),
            json=draft.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8LineItem, body)

    def update_line_item(
        self,
        tenant_id: str,
        line_item_id: str,
        draft: Loc8LineItemDraft,
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8LineItem:
        body = self._call(
            "update_line_item",
            "PUT",
            _path(tenant_id, "line-items", line_item_id),
            json={**draft.model_dump(mode="json"), "version": version},
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8LineItem, body)

    # Tax types

    def tax_types(self, tenant_id: str) -> list[Loc8TaxType]:
        body = self._call("list_tax_types", "GET", _path(tenant_id, "tax-types"))
        return [_parse(Loc8TaxType, item) for item in _items(body)]

    def create_tax_type(
        self, tenant_id: str, draft: Loc8TaxTypeDraft, *, idempotency_key: str | None = None
    ) -> Loc8TaxType:
        body = self._call(
            "create_tax_type",
            "POST",
            _path(tenant_id, "tax-types"),
            json=draft.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8TaxType, body)

    def update_tax_type(
        self,
        tenant_id: str,
        tax_type_id: str,
        change: Loc8TaxTypeChange,
        *,
        idempotency_key: str | None = None,
    ) -> Loc8TaxType:
        body = self._call(
            "update_tax_type",
            "PATCH",
            _path(tenant_id, "tax-types", tax_type_id),
            # Only what changes: a field left out keeps Loc8's value.
            json=change.model_dump(mode="json", exclude_none=True),
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8TaxType, body)

    # Invoices

    def invoice_pages(
        self,
        tenant_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Page[Loc8Invoice]]:
        return self._pages(tenant_id, "invoices", Loc8Invoice, updated_since, cursor, limit)

    def iter_invoices(
        self, tenant_id: str, *, updated_since: datetime | None = None
    ) -> Iterator[Loc8Invoice]:
        return iter_items(self.invoice_pages(tenant_id, updated_since=updated_since))

    def get_invoice(self, tenant_id: str, invoice_id: str) -> Loc8Invoice:
        body = self._call("get_invoice", "GET", _path(tenant_id, "invoices", invoice_id))
        return _parse(Loc8Invoice, body)

    def record_invoice_external_ref(
        self,
        tenant_id: str,
        invoice_id: str,
        ref: ExternalRef,
        *,
        idempotency_key: str | None = None,
    ) -> Loc8Invoice:
        body = self._call(
            "record_invoice_external_ref",
            "PUT",
            _path(tenant_id, "invoices", invoice_id, "external-refs", ref.app),
            json={"external_id": ref.external_id, "url": ref.url},
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8Invoice, body)

    def record_payment(
        self,
        tenant_id: str,
        invoice_id: str,
        payment: Loc8PaymentDraft,
        *,
        idempotency_key: str | None = None,
    ) -> RecordedPayment:
        response = self._send(
            "record_payment",
            "POST",
            _path(tenant_id, "invoices", invoice_id, "payments"),
            json=payment.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        # The contract: 201 when recorded now, 200 when Loc8 already had this payment.
        return RecordedPayment(
            payment=_parse(Loc8Payment, _json(response)),
            newly_recorded=response.status_code == 201,
        )

    def set_invoice_status(
        self,
        tenant_id: str,
        invoice_id: str,
        status: Loc8InvoiceStatus,
        *,
        version: int,
        idempotency_key: str | None = None,
    ) -> Loc8Invoice:
        body = self._call(
            "set_invoice_status",
            "PUT",
            _path(tenant_id, "invoices", invoice_id, "status"),
            json={"status": Loc8InvoiceStatus(status).value, "version": version},
            idempotency_key=idempotency_key,
        )
        return _parse(Loc8Invoice, body)

    # Plumbing

    def _pages(
        self,
        tenant_id: str,
        resource: str,
        model: type[M],
        updated_since: datetime | None,
        cursor: str | None,
        limit: int | None,
    ) -> Iterator[Page[M]]:
        page_type = Page[model]  # type: ignore[valid-type]
        size = min(limit or self._page_size, MAX_PAGE_SIZE)
        while True:
            # The cursor already carries the position, so updated_since goes only with
            # the first page of a pass.
            params: dict[str, Any] = {"limit": size}
            if cursor:
                params["cursor"] = cursor
            elif updated_since is not None:
                params["updated_since"] = _timestamp(updated_since)
            body = self._call(
                f"list_{resource.replace('-', '_')}", "GET", _path(tenant_id, resource), params
            )
            page = _parse(page_type, body)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        return _json(
            self._send(operation, method, path, params, json=json, idempotency_key=idempotency_key)
        )

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        if method != "GET":
            # A fresh key per call still makes the transport's own retries safe; callers
            # pass a stable key to make a re-run job safe too.
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        try:
            response = self._session.request(
                method,
                f"{self._base_url}{path}",
                params=params,
                json=json,
                headers=headers,
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            # Only the operation and the error class: URLs carry tenant ids, not secrets,
            # but request headers carry the credential.
            logger.warning(
                "loc8 call failed", extra={"operation": operation, "error": type(error).__name__}
            )
            raise Loc8Unavailable(
                "Loc8 core could not be reached or did not answer in time; try again."
            ) from error
        logger.info(
            "loc8 call", extra={"operation": operation, "http_status": response.status_code}
        )
        raise_for_problem(response)
        return response


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise Loc8Error("Loc8 core sent an answer that is not JSON.") from error


def _path(tenant_id: str, *parts: str) -> str:
    segments = ("v1", "tenants", tenant_id, *parts)
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("updated_since must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _items(body: Any) -> list[Any]:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise Loc8Error("Loc8 core sent a list without items.")
    return items


def _parse(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise Loc8Error(f"Loc8 core sent a {model.__name__} this client cannot read.") from error
