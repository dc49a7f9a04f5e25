"""QuickBooks Online's Accounting API for one company, in the core's terms.

Reads: Change Data Capture for a periodic sync (`changes.py`: one call answers every
domain, and it rides in the job's settings batch, so a quiet sync is one call),
queries paged by `Metadata.LastUpdatedTime` otherwise (an import, a cursor older than
CDC's window, a resumed page). Writes: `/batch` (`batches.py`). US
companies use automated sales tax: their "tax rates" are QuickBooks' TAX and NON
codes, each line says only whether it is taxable, and QuickBooks works out the tax.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.providers.quickbooks.batches import BatchWriter, Known, Operation
from chalicelib.adapters.providers.quickbooks.changes import ChangeFeed, PlannedRead
from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient, QuickBooksRefused
from chalicelib.adapters.providers.quickbooks.failures import fault_errors, messages
from chalicelib.adapters.providers.quickbooks.mappers import (
    US_TAX_RATES,
    account_from_qbo,
    contact_from_qbo,
    contact_to_qbo,
    invoice_from_qbo,
    invoice_to_qbo,
    item_from_qbo,
    item_to_qbo,
    linked_payment_ids,
    payment_to_qbo,
    payments_from_qbo,
    ref_value,
    tax_rate_from_qbo,
)
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.adapters.providers.quickbooks.query import (
    PAGE_SIZE,
    changed_since,
    everything,
    where_in,
)
from chalicelib.adapters.providers.quickbooks.sales_items import SalesItems, is_own_item
from chalicelib.domain.accounting import (
    Account,
    AppContact,
    AppContactDraft,
    AppInvoice,
    AppInvoiceStatus,
    AppItem,
    AppPage,
    AppPayment,
    AppPaymentDraft,
    RateBudget,
    RecordStatus,
    TaxRate,
    WriteResult,
)
from chalicelib.domain.app_profile import AppProfile

# What a job reads once, in one batch of queries: accounts, tax codes and rates, the
# company (its country), and the item catalogue invoice lines are sold as.
SETTINGS_ENTITIES = ("Account", "TaxCode", "TaxRate", "CompanyInfo", "Item")
# The bId of the change feed's question when it rides in that batch.
CHANGES_BID = "changes"
# Name lists answer active records only unless the query names Active; a record made
# inactive is a change the sync must see.
_EVERY_STATE = {"Customer": ("Active IN (true, false)",), "Item": ("Active IN (true, false)",)}

Parse = Callable[[dict[str, Any]], Iterable[Any]]


def _one(parse: Callable[[dict[str, Any]], Any]) -> Parse:
    def parsed(record: dict[str, Any]) -> Iterable[Any]:
        value = parse(record)
        return [] if value is None else [value]

    return parsed


class QuickBooksAccounting:
    def __init__(
        self, *, client: QuickBooksClient, realm_id: str, now: Callable[[], datetime]
    ) -> None:
        self._client = client
        self._realm_id = realm_id
        self._known = Known(client)
        self._feed = ChangeFeed(client, now)
        # A write makes the feed's answer stale: a later read of this job (the payments'
        # status pass after the payment push, say) must see what the write changed.
        self._writer = BatchWriter(client, self._known, after_write=self._feed.forget)
        # The settings batch's first pages, until a step needs the lists whole.
        self._settings_pages: dict[str, list[dict[str, Any]]] | None = None
        self._settings_lists: dict[str, list[dict[str, Any]]] | None = None
        # Entities that filled a query page in this job (see `_pages`).
        self._paged_entities: set[str] = set()
        self._items: list[AppItem] | None = None  # every item, read once for invoices
        self._fresh_items: dict[str, AppItem] = {}  # read or saved since, by Id
        self._item_codes: dict[str, str] = {}  # item code by Id
        self._inactive_items: set[str] = set()  # no new line may be sold as one of these
        self._sales_items = SalesItems(
            client=client,
            writer=self._writer,
            catalogue=self._catalogue,
            inactive=lambda: self._inactive_items,
            accounts=self.accounts,
            note=self._note_items,
        )

    @property
    def profile(self) -> AppProfile:
        return QUICKBOOKS_PROFILE

    def rate_budget(self) -> RateBudget:
        return self._client.rate.budget()

    def expect_changes_since(self, since: datetime | None) -> None:
        self._feed.expect(since)

    # --- settings ---------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        parsed = (account_from_qbo(a) for a in self._settings().get("Account", []))
        return [account for account in parsed if account is not None]

    def tax_rates(self) -> list[TaxRate]:
        if self.automated_sales_tax():
            return list(US_TAX_RATES)
        settings = self._settings()
        rates = {
            str(rate["Id"]): Decimal(str(rate.get("RateValue") or 0))
            for rate in settings.get("TaxRate", [])
        }
        return [tax_rate_from_qbo(code, rates) for code in settings.get("TaxCode", [])]

    def automated_sales_tax(self) -> bool:
        """US companies (QuickBooks' automated sales tax) name no rates on lines."""
        [info] = self._settings().get("CompanyInfo") or [{}]
        return str(info.get("Country") or "").upper() in ("US", "USA")

    def _settings(self) -> dict[str, list[dict[str, Any]]]:
        """The company's settings lists and items, read once per job: the tax-rates
        step, the invoices' tax codes and items and the company's country cost one
        call between them (Change Data Capture does not cover tax codes), and a list
        longer than a page is paged only when a step needs it."""
        if self._settings_lists is None:
            first = self._settings_pages
            if first is None:
                first = self._read_settings(self._feed.ahead())
            self._settings_lists = {
                entity: (
                    self._all(entity, f"read_{entity.lower()}s")
                    if len(first.get(entity, [])) >= PAGE_SIZE
                    else first.get(entity, [])
                )
                for entity in SETTINGS_ENTITIES
            }
            self._settings_pages = None
        return self._settings_lists

    def _read_settings(self, changes: PlannedRead | None) -> dict[str, list[dict[str, Any]]]:
        """The job's first call: the settings' first pages in one batch of queries,
        carrying the change feed's question when it has one, whose answer the feed
        keeps. A refused change question is left to the feed to ask on its own."""
        items: list[dict[str, Any]] = [
            {"bId": entity, "Query": everything(entity, 1, conditions=_EVERY_STATE.get(entity, ()))}
            for entity in SETTINGS_ENTITIES
        ]
        if changes is not None:
            items.append({"bId": CHANGES_BID, "CDCQuery": self._feed.cdc_query(changes)})
        body = self._client.call(
            "POST",
            "batch",
            operation="read_settings" if changes is None else "read_settings_and_changes",
            json_body={"BatchItemRequest": items},
        )
        lists: dict[str, list[dict[str, Any]]] = {}
        for answer in body.get("BatchItemResponse") or []:
            entity = str(answer.get("bId"))
            errors = fault_errors(answer)
            if entity == CHANGES_BID:
                # One CDCResponse object (Intuit's XSD, its Java SDK); a list as /cdc
                # answers is read too.
                response = answer.get("CDCResponse")
                found = response if isinstance(response, list) else [response]
                listed = [r for r in found if isinstance(r, dict)]
                if changes is not None and not errors and listed:
                    self._feed.take(changes, listed)
                continue
            if errors:
                raise QuickBooksRefused("; ".join(messages(errors)), errors)
            lists[entity] = list((answer.get("QueryResponse") or {}).get(entity) or [])
        self._settings_pages = lists
        return lists

    def _read_ahead(self, since: datetime | None) -> None:
        """Before the job's first change-feed read: when nothing was read yet, read the
        settings with it, so the job's first call answers both."""
        if self._settings_pages is None and self._settings_lists is None:
            planned = self._feed.ahead(since)
            if planned is not None:
                self._read_settings(planned)

    def _all(self, entity: str, operation: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            found = self._client.query(
                everything(entity, page, conditions=_EVERY_STATE.get(entity, ())),
                operation=operation,
            )
            listed = found.get(entity) or []
            records += listed
            if len(listed) < PAGE_SIZE:
                return records
            page += 1

    # --- paged reads ------------------------------------------------------------------

    def contact_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppContact]]:
        return self._pages("Customer", _one(contact_from_qbo), modified_since, start_page)

    def invoice_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppInvoice]]:
        return self._pages(
            "Invoice",
            _one(lambda r: invoice_from_qbo(r, self._item_codes)),
            modified_since,
            start_page,
        )

    def payment_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppPayment]]:
        return self._pages("Payment", payments_from_qbo, modified_since, start_page)

    def items(self, modified_since: datetime | None = None) -> list[AppItem]:
        if modified_since is None:
            return list(self._catalogue())
        return [item for page in self.item_pages(modified_since) for item in page.records]

    def item_pages(self, modified_since: datetime | None) -> Iterator[AppPage[AppItem]]:
        for page in self._pages("Item", _one(item_from_qbo), modified_since, 1):
            self._note_items(page.records)
            yield page.model_copy(
                update={"records": [i for i in page.records if not is_own_item(i)]}
            )

    def _note_items(self, items: list[AppItem]) -> None:
        """Items read or saved in this job, newer than the catalogue's copy of them."""
        for item in items:
            if item.id:
                self._item_codes[item.id] = item.code
                self._fresh_items[item.id] = item

    def _pages(
        self,
        entity: str,
        parse: Parse,
        since: datetime | None,
        start_page: int,
    ) -> Iterator[AppPage[Any]]:
        if start_page == 1:
            self._read_ahead(since)
        # Once an entity fills a query page in this job, its changes outnumber what the
        # change feed answers: asking the feed again would only cost a call.
        use_feed = start_page == 1 and entity not in self._paged_entities
        changes = self._feed.changes(entity, since) if use_feed else None
        if changes is not None:
            records = [record for raw in changes.records for record in parse(raw)]
            yield AppPage(records=records, page=1, last=True, read_at=changes.read_at)
            return
        page = start_page
        while True:
            found = self._client.query(
                changed_since(entity, since, page, conditions=_EVERY_STATE.get(entity, ())),
                operation=f"list_{entity.lower()}s",
            )
            listed = found.get(entity) or []
            last = len(listed) < PAGE_SIZE
            if not last:
                self._paged_entities.add(entity)
            records = [record for raw in listed for record in parse(raw)]
            yield AppPage(records=records, page=page, last=last)
            if last:
                return
            page += 1

    # --- lookups ----------------------------------------------------------------------

    def find_contacts(self, *, names: list[str], emails: list[str]) -> list[AppContact]:
        """Active customers with any of these names or emails: a query per field, as
        the query language has no OR (DisplayName and PrimaryEmailAddr are filterable)."""
        found: dict[str, AppContact] = {}
        for field, values in (("DisplayName", names), ("PrimaryEmailAddr", emails)):
            for group in _groups(sorted(set(values)), QUICKBOOKS_PROFILE.lookup_batch_size):
                listed = self._client.query(
                    where_in("Customer", field, group), operation="find_customers"
                )
                for record in listed.get("Customer") or []:
                    self._known.remember("Customer", record)
                    contact = contact_from_qbo(record)
                    found.setdefault(contact.id, contact)
        return list(found.values())

    def find_invoices(self, numbers: list[str]) -> list[AppInvoice]:
        return self._invoices_where("DocNumber", numbers, "find_invoices")

    def get_invoices(self, ids: list[str]) -> list[AppInvoice]:
        """With their payments: QuickBooks lists an invoice's payments as LinkedTxn
        ids, read in one more query."""
        return self._invoices_where("Id", ids, "get_invoices")

    def _invoices_where(self, field: str, values: list[str], operation: str) -> list[AppInvoice]:
        records: list[dict[str, Any]] = []
        for group in _groups(sorted(set(values)), QUICKBOOKS_PROFILE.write_batch_size):
            listed = self._client.query(where_in("Invoice", field, group), operation=operation)
            records += listed.get("Invoice") or []
        for record in records:
            self._known.remember("Invoice", record)
        if records:
            # Lines name their item by Id; its code (the SKU) comes from the catalogue,
            # so a copy compares equal to what the push would send.
            self._catalogue()
        payments = self._payments_of(records)
        invoices = []
        for record in records:
            invoice = invoice_from_qbo(record, self._item_codes)
            on_it = [
                p
                for p in payments
                if p.invoice_id == invoice.id and p.status is RecordStatus.ACTIVE
            ]
            invoices.append(invoice.model_copy(update={"payments": on_it}))
        return invoices

    def _payments_of(self, invoices: list[dict[str, Any]]) -> list[AppPayment]:
        ids = sorted({pid for record in invoices for pid in linked_payment_ids(record)})
        payments: list[AppPayment] = []
        for group in _groups(ids, QUICKBOOKS_PROFILE.write_batch_size):
            listed = self._client.query(where_in("Payment", "Id", group), operation="get_payments")
            for record in listed.get("Payment") or []:
                payments += payments_from_qbo(record)
        return payments

    # --- writes -----------------------------------------------------------------------

    def create_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._writer.write(
            [
                Operation("Customer", "create", lambda _t, d=d: contact_to_qbo(d), contact_from_qbo)
                for d in drafts
            ],
            idempotency_key,
        )

    def update_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        return self._writer.write(
            [
                Operation(
                    "Customer",
                    "update",
                    lambda token, d=d: contact_to_qbo(d, token),
                    contact_from_qbo,
                    record_id=d.id,
                )
                for d in drafts
            ],
            idempotency_key,
        )

    def save_items(self, items: list[AppItem], idempotency_key: str) -> list[WriteResult[AppItem]]:
        results = self._writer.write(
            [
                Operation(
                    "Item",
                    "update" if item.id else "create",
                    lambda token, i=item: item_to_qbo(i, token),
                    item_from_qbo,
                    record_id=item.id,
                )
                for item in items
            ],
            idempotency_key,
        )
        self._note_items([r.record for r in results if r.ok and r.record])
        return results

    def create_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        self._sales_items.prepare(invoices)
        return self._writer.write([self._invoice_write(i) for i in invoices], idempotency_key)

    def update_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        self._sales_items.prepare(i for i in invoices if i.status is AppInvoiceStatus.APPROVED)
        return self._writer.write([self._invoice_write(i) for i in invoices], idempotency_key)

    def _invoice_write(self, invoice: AppInvoice) -> Operation:
        parse = self._invoice_answer(invoice)
        if invoice.id and invoice.status in (AppInvoiceStatus.VOIDED, AppInvoiceStatus.DELETED):
            operation = "void" if invoice.status is AppInvoiceStatus.VOIDED else "delete"
            invoice_id = invoice.id
            return Operation(
                "Invoice",
                operation,
                lambda token: {"Id": invoice_id, "SyncToken": token or "0"},
                parse,
                record_id=invoice_id,
            )
        item_for = self._sales_items.item_for()
        us = self.automated_sales_tax()
        return Operation(
            "Invoice",
            "update" if invoice.id else "create",
            lambda token: invoice_to_qbo(
                invoice, item_for=item_for, automated_sales_tax=us, sync_token=token
            ),
            parse,
            record_id=invoice.id,
        )

    def _invoice_answer(self, sent: AppInvoice) -> Callable[[dict[str, Any]], AppInvoice]:
        def parse(record: dict[str, Any]) -> AppInvoice:
            invoice = invoice_from_qbo(record, self._item_codes)
            if invoice.status is AppInvoiceStatus.DELETED:
                # A delete answers only the Id: the rest is what was sent.
                return sent.model_copy(update={"status": AppInvoiceStatus.DELETED})
            return invoice

        return parse

    def _catalogue(self) -> list[AppItem]:
        """Every item: the job's settings read, with what this job read or saved since."""
        if self._items is None:
            records = self._settings().get("Item", [])
            self._inactive_items = {str(r["Id"]) for r in records if r.get("Active") is False}
            parsed = (item_from_qbo(record) for record in records)
            self._items = [item for item in parsed if item is not None]
            for item in self._items:
                if item.id:
                    self._item_codes.setdefault(item.id, item.code)
        fresh = self._fresh_items
        listed = [fresh.get(item.id or "", item) for item in self._items]
        known = {item.id for item in self._items}
        return listed + [item for item_id, item in fresh.items() if item_id not in known]

    def create_payments(
        self, payments: list[AppPaymentDraft], idempotency_key: str
    ) -> list[WriteResult[AppPayment]]:
        self._known.load("Invoice", [p.invoice_id for p in payments])
        operations: list[Operation] = []
        for payment in payments:
            invoice = self._known.get("Invoice", payment.invoice_id) or {}
            customer = ref_value(invoice.get("CustomerRef")) or ""
            operations.append(
                Operation(
                    "Payment",
                    "create",
                    lambda _t, p=payment, c=customer: payment_to_qbo(p, c),
                    lambda record: _payment_on(record),
                )
            )
        return self._writer.write(operations, idempotency_key)


def _payment_on(record: dict[str, Any]) -> AppPayment:
    return payments_from_qbo(record)[0]


def _groups(values: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
