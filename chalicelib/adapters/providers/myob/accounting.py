"""MYOB Business's AccountRight API for one company file, in the core's terms.

Reads: lists filtered on `LastModified` (OData `ge` a datetime literal, whole seconds,
as the core's paging expects), ordered by it, 1,000 a page (`$top`'s most), following
`NextPageLink` to the end; a page whose ETag MYOB still answers costs a 304
(`etags.py`). Writes: one request per record (MYOB has no batch endpoint), each
answered on its own, so one refused record never hides another. Updates send the
whole record back with its current `RowVersion`; a stale one is read again and the
update tried once more, then reported. MYOB has no idempotency key: the core looks an
unsure record up by its natural key before sending it again (customers by name,
items by number, invoices by number, payments on their invoice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from chalicelib.adapters.providers.myob.client import MyobClient, MyobRefused
from chalicelib.adapters.providers.myob.failures import STALE_ROW_VERSION, messages, write_failure
from chalicelib.adapters.providers.myob.mappers import (
    CannotHold,
    CodeBook,
    account_from_myob,
    contact_from_myob,
    contact_to_myob,
    customer_name,
    datetime_literal,
    invoice_from_myob,
    invoice_to_myob,
    item_from_myob,
    item_to_myob,
    layout_for,
    payment_to_myob,
    payments_from_myob,
    quote,
    tax_rate_from_myob,
)
from chalicelib.adapters.providers.myob.profile import MYOB_PROFILE
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
from chalicelib.domain.app_profile import AppProfile, WriteFailure

CUSTOMER = "Contact/Customer"
ITEM = "Inventory/Item"
ACCOUNT = "GeneralLedger/Account"
TAX_CODE = "GeneralLedger/TaxCode"
INVOICES = "Sale/Invoice"  # both layouts, read together
PAYMENT = "Sale/CustomerPayment"
PAGE_SIZE = 1000  # MYOB's largest $top
# Values `or`ed in one $filter; the filter travels in the URL.
FILTER_GROUP = 10

Record = dict[str, Any]
Parsed = TypeVar("Parsed")


def _groups(values: Sequence[str], size: int = FILTER_GROUP) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _failed(errors: list[str], reason: WriteFailure) -> WriteResult[Any]:
    return WriteResult(ok=False, errors=errors, reason=reason)


def _refused(refusal: MyobRefused) -> WriteResult[Any]:
    return _failed(
        messages(refusal.errors) or [refusal.message], write_failure(refusal.status, refusal.errors)
    )


def _is_stale(refusal: MyobRefused) -> bool:
    return refusal.status == 409 or any(e.name == STALE_ROW_VERSION for e in refusal.errors)


class MyobAccounting:
    def __init__(self, *, client: MyobClient, now: Callable[[], datetime]) -> None:
        self._client = client
        self._now = now
        self._settings: dict[str, list[Record]] = {}
        self._items: dict[str, Record] | None = None  # every item by UID, read once a job
        self._invoices: dict[str, Record] = {}  # sales read for a write, by UID
        self._code_book: CodeBook | None = None

    @property
    def profile(self) -> AppProfile:
        return MYOB_PROFILE

    @property
    def client(self) -> MyobClient:
        return self._client

    def rate_budget(self) -> RateBudget:
        return self._client.pacer.budget()

    def expect_changes_since(self, since: datetime | None) -> None:
        """MYOB answers one kind of record per call: nothing to read ahead."""
        del since

    # --- settings ---------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        parsed = (account_from_myob(a) for a in self._setting(ACCOUNT))
        return [account for account in parsed if account is not None]

    def tax_rates(self) -> list[TaxRate]:
        return [tax_rate_from_myob(code) for code in self._setting(TAX_CODE)]

    def _setting(self, path: str) -> list[Record]:
        """A settings list, read once a job (an unchanged one costs a 304)."""
        if path not in self._settings:
            self._settings[path] = [r for page in self._raw_pages(path, None, 1) for r in page[0]]
        return self._settings[path]

    def _catalogue(self) -> dict[str, Record]:
        if self._items is None:
            self._items = {
                str(r["UID"]): r for page in self._raw_pages(ITEM, None, 1) for r in page[0]
            }
        return self._items

    def _codes(self) -> CodeBook:
        """The file's codes and UIDs, built once a job; items saved since are in it."""
        if self._code_book is None:
            self._code_book = CodeBook(
                accounts={str(a["DisplayID"]): a for a in self._setting(ACCOUNT)},
                tax_codes={str(t["Code"]): t for t in self._setting(TAX_CODE)},
                items={
                    str(i.get("Number") or "").casefold(): i for i in self._catalogue().values()
                },
            )
        return self._code_book

    # --- paged reads ------------------------------------------------------------------

    def _raw_pages(
        self, path: str, since: datetime | None, start_page: int, extra: str | None = None
    ) -> Iterator[tuple[list[Record], bool]]:
        """Records changed at or after `since`, oldest change first, a page at a time
        from `start_page`, following MYOB's NextPageLink to the end."""
        conditions = [f"LastModified ge {datetime_literal(since)}"] if since else []
        if extra:
            conditions.append(extra)
        params = {"$orderby": "LastModified", "$top": str(PAGE_SIZE)}
        if conditions:
            params["$filter"] = " and ".join(conditions)
        if start_page > 1:
            params["$skip"] = str((start_page - 1) * PAGE_SIZE)
        url: str | None = self._client.url(path, params)
        while url is not None:
            body = self._client.read(url, f"list_{path.rsplit('/', 1)[-1].lower()}")
            body = body if isinstance(body, dict) else {}
            url = body.get("NextPageLink") or None
            yield list(body.get("Items") or []), url is None

    def _pages(
        self,
        path: str,
        parse: Callable[[Record], Iterable[Parsed]],
        since: datetime | None,
        start_page: int,
    ) -> Iterator[AppPage[Parsed]]:
        page = start_page
        for raw, last in self._raw_pages(path, since, start_page):
            records = [record for item in raw for record in parse(item)]
            yield AppPage(records=records, page=page, last=last)
            page += 1

    def contact_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppContact]]:
        return self._pages(CUSTOMER, lambda r: [contact_from_myob(r)], modified_since, start_page)

    def invoice_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppInvoice]]:
        return self._pages(INVOICES, lambda r: [invoice_from_myob(r)], modified_since, start_page)

    def payment_pages(
        self, modified_since: datetime | None, start_page: int = 1
    ) -> Iterator[AppPage[AppPayment]]:
        return self._pages(PAYMENT, payments_from_myob, modified_since, start_page)

    def items(self, modified_since: datetime | None = None) -> list[AppItem]:
        if modified_since is None:
            parsed = (item_from_myob(r) for r in self._catalogue().values())
            return [item for item in parsed if item is not None]
        return [item for page in self.item_pages(modified_since) for item in page.records]

    def item_pages(self, modified_since: datetime | None) -> Iterator[AppPage[AppItem]]:
        def parse(record: Record) -> list[AppItem]:
            if self._items is not None:
                self._items[str(record["UID"])] = record
            item = item_from_myob(record)
            return [] if item is None else [item]

        return self._pages(ITEM, parse, modified_since, 1)

    # --- lookups ----------------------------------------------------------------------

    def find_contacts(self, *, names: list[str], emails: list[str]) -> list[AppContact]:
        """Active customers with any of these names. MYOB filters no collection, and a
        card's email is in its Addresses list, so emails cannot be looked up: a lost
        create is found again by its name, which Loc8 always sends."""
        del emails
        wanted = sorted(set(names))
        found: dict[str, AppContact] = {}
        for group in _groups(wanted):
            condition = " or ".join(_name_condition(name) for name in group)
            for raw, _last in self._raw_pages(
                CUSTOMER, None, 1, f"IsActive eq true and ({condition})"
            ):
                for record in raw:
                    if customer_name(record) in group:
                        contact = contact_from_myob(record)
                        found.setdefault(contact.id, contact)
        return list(found.values())

    def find_invoices(self, numbers: list[str]) -> list[AppInvoice]:
        return self._invoices_where(
            [f"Number eq {quote(number)}" for number in sorted(set(numbers))]
        )

    def get_invoices(self, ids: list[str]) -> list[AppInvoice]:
        """With their payments: MYOB lists a sale's payments on the payment, so the
        payments of the sales' customers are read too."""
        invoices = self._invoices_where([f"UID eq guid'{uid}'" for uid in sorted(set(ids))])
        customers = sorted({invoice.contact_id for invoice in invoices if invoice.contact_id})
        payments: list[AppPayment] = []
        for group in _groups(customers):
            condition = " or ".join(f"Customer/UID eq guid'{uid}'" for uid in group)
            for raw, _last in self._raw_pages(PAYMENT, None, 1, f"({condition})"):
                payments += [p for record in raw for p in payments_from_myob(record)]
        return [
            invoice.model_copy(
                update={
                    "payments": [
                        p
                        for p in payments
                        if p.invoice_id == invoice.id and p.status is RecordStatus.ACTIVE
                    ]
                }
            )
            for invoice in invoices
        ]

    def _invoices_where(self, conditions: list[str]) -> list[AppInvoice]:
        invoices: list[AppInvoice] = []
        for group in _groups(conditions):
            for raw, _last in self._raw_pages(INVOICES, None, 1, f"({' or '.join(group)})"):
                for record in raw:
                    self._invoices[str(record["UID"])] = record
                    invoices.append(invoice_from_myob(record))
        return invoices

    # --- writes -----------------------------------------------------------------------

    def create_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        del idempotency_key  # MYOB has none; the core finds a lost create by its name
        codes = self._codes()
        return [
            self._create(
                CUSTOMER, lambda d=draft: contact_to_myob(d, None, codes), contact_from_myob
            )
            for draft in drafts
        ]

    def update_contacts(
        self, drafts: list[AppContactDraft], idempotency_key: str
    ) -> list[WriteResult[AppContact]]:
        del idempotency_key
        codes = self._codes()
        results: list[WriteResult[AppContact]] = []
        for draft in drafts:
            if not draft.id:
                results.append(_failed(["No MYOB card to update."], WriteFailure.NOT_FOUND))
                continue
            results.append(
                self._update(
                    f"{CUSTOMER}/{draft.id}",
                    lambda current, d=draft: contact_to_myob(d, current, codes),
                    contact_from_myob,
                )
            )
        return results

    def save_items(self, items: list[AppItem], idempotency_key: str) -> list[WriteResult[AppItem]]:
        del idempotency_key
        results: list[WriteResult[AppItem]] = []
        for item in items:
            codes = self._codes()
            if item.id:
                result = self._update(
                    f"{ITEM}/{item.id}",
                    lambda current, i=item, c=codes: item_to_myob(i, current, c),
                    self._note_item,
                    known=self._catalogue().get(item.id),
                )
            else:
                result = self._create(
                    ITEM, lambda i=item, c=codes: item_to_myob(i, None, c), self._note_item
                )
            results.append(result)
        return results

    def _note_item(self, record: Record) -> AppItem:
        """A saved item joins the catalogue, so this job's invoices can sell it."""
        self._catalogue()[str(record["UID"])] = record
        self._codes().remember_item(record)
        item = item_from_myob(record)
        if item is None:  # written as sold: MYOB answered otherwise
            raise CannotHold("MYOB Business did not keep the item as one it sells.")
        return item

    def create_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        del idempotency_key  # the core finds a lost create by its number
        codes = self._codes()
        results: list[WriteResult[AppInvoice]] = []
        for invoice in invoices:
            try:
                layout = layout_for(invoice, codes)
                body = invoice_to_myob(invoice, layout, codes, None)
            except CannotHold as cannot:
                results.append(_failed([str(cannot)], WriteFailure.INVALID))
                continue
            results.append(
                self._create(f"{INVOICES}/{layout}", lambda b=body: b, self._note_invoice)
            )
        return results

    def update_invoices(
        self, invoices: list[AppInvoice], idempotency_key: str
    ) -> list[WriteResult[AppInvoice]]:
        del idempotency_key
        codes = self._codes()
        results: list[WriteResult[AppInvoice]] = []
        for invoice in invoices:
            if not invoice.id:
                results.append(_failed(["No MYOB sale to update."], WriteFailure.NOT_FOUND))
                continue
            try:
                current = self._invoice_record(invoice.id)
            except MyobRefused as refusal:
                results.append(_refused(refusal))
                continue
            if current is None:
                results.append(_failed(["MYOB has no such sale."], WriteFailure.NOT_FOUND))
                continue
            path = f"{INVOICES}/{current.get('InvoiceType') or 'Service'}/{invoice.id}"
            if invoice.status in (AppInvoiceStatus.VOIDED, AppInvoiceStatus.DELETED):
                results.append(self._delete_invoice(path, invoice))
                continue
            layout = str(current.get("InvoiceType") or "Service")
            results.append(
                self._update(
                    path,
                    lambda existing, i=invoice, lay=layout: invoice_to_myob(
                        i, lay, codes, existing
                    ),
                    self._note_invoice,
                    known=current,
                )
            )
        return results

    def _delete_invoice(self, path: str, invoice: AppInvoice) -> WriteResult[AppInvoice]:
        """MYOB cannot void a sale through the API: it is deleted (the profile says so)."""
        try:
            self._client.delete(path, "delete_invoice")
        except MyobRefused as refusal:
            return _refused(refusal)
        self._invoices.pop(invoice.id or "", None)
        return WriteResult(
            ok=True, record=invoice.model_copy(update={"status": AppInvoiceStatus.DELETED})
        )

    def _invoice_record(self, uid: str) -> Record | None:
        known = self._invoices.get(uid)
        if known is None:
            self._invoices_where([f"UID eq guid'{uid}'"])
            known = self._invoices.get(uid)
        return known

    def _note_invoice(self, record: Record) -> AppInvoice:
        self._invoices[str(record["UID"])] = record
        return invoice_from_myob(record)

    def create_payments(
        self, payments: list[AppPaymentDraft], idempotency_key: str
    ) -> list[WriteResult[AppPayment]]:
        """Each payment on its invoice, from the invoice's customer. MYOB has no
        idempotency key: the core looks an unsure payment up on its invoice first."""
        del idempotency_key
        codes = self._codes()
        unknown = [p.invoice_id for p in payments if p.invoice_id not in self._invoices]
        if unknown:
            self._invoices_where([f"UID eq guid'{uid}'" for uid in sorted(set(unknown))])
        results: list[WriteResult[AppPayment]] = []
        for payment in payments:
            invoice = self._invoices.get(payment.invoice_id)
            customer = ((invoice or {}).get("Customer") or {}).get("UID")
            if not customer:
                results.append(_failed(["MYOB has no such sale."], WriteFailure.NOT_FOUND))
                continue
            results.append(
                self._create(
                    PAYMENT,
                    lambda p=payment, c=str(customer): payment_to_myob(p, c, codes),
                    lambda record, p=payment: _payment_on(record, p.invoice_id),
                )
            )
            self._invoices.pop(payment.invoice_id, None)  # its balance and RowVersion moved
        return results

    # --- one record at a time ---------------------------------------------------------

    def _create(
        self, path: str, build: Callable[[], Record], parse: Callable[[Record], Parsed]
    ) -> WriteResult[Parsed]:
        """POST one record; MYOB answers 201 with its URI (and, asked, its body)."""
        try:
            body = build()
            created = self._client.create(path, body, f"create_{_noun(path)}", return_body=True)
            record = created.body
            if record is None:  # no body despite returnBody: read it from its URI
                record = self._client.read(created.uri, f"read_{_noun(path)}")
            return WriteResult(ok=True, record=parse(record))
        except CannotHold as cannot:
            return _failed([str(cannot)], WriteFailure.INVALID)
        except MyobRefused as refusal:
            return _refused(refusal)

    def _update(
        self,
        path: str,
        build: Callable[[Record], Record],
        parse: Callable[[Record], Parsed],
        known: Record | None = None,
    ) -> WriteResult[Parsed]:
        """PUT the whole record with its RowVersion; a stale one is read again and the
        update tried once more, then reported as STALE_VERSION."""
        current = known
        for attempt in range(2):
            try:
                if current is None or attempt > 0:
                    current = self._read_record(path)
                answer = self._client.replace(path, build(current), f"update_{_noun(path)}")
                return WriteResult(ok=True, record=parse(answer or self._read_record(path)))
            except CannotHold as cannot:
                return _failed([str(cannot)], WriteFailure.INVALID)
            except MyobRefused as refusal:
                if _is_stale(refusal) and attempt == 0:
                    continue
                return _refused(refusal)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_record(self, path: str) -> Record:
        # A 304 here is as good as the body: MYOB says the record is unchanged since.
        body = self._client.read(self._client.url(path), f"read_{_noun(path)}")
        if not isinstance(body, dict):
            raise MyobRefused(404, [])
        return body


def _noun(path: str) -> str:
    parts = path.split("/")
    head = parts[1] if len(parts) > 1 else parts[0]
    return head.lower()


def _payment_on(record: Record, invoice_id: str) -> AppPayment:
    for payment in payments_from_myob(record):
        if payment.invoice_id == invoice_id:
            return payment
    raise CannotHold("MYOB Business recorded the payment on another sale.")


def _name_condition(name: str) -> str:
    """A company card with this name, or an individual's card read as this name."""
    first, _, last = name.rpartition(" ")
    individual = (
        f"(FirstName eq {quote(first)} and LastName eq {quote(last)})"
        if first
        else f"(IsIndividual eq true and LastName eq {quote(name)})"
    )
    return f"CompanyName eq {quote(name)} or {individual}"
