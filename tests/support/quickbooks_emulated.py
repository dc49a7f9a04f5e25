"""The syncers' shared tests through QuickBooks Online: the `Emulated` service switched
to sync Loc8's demo tenant with the QuickBooks emulator's AU demo company, connected
through the real consent flow, and the `QuickBooksKit` that reads and changes that
company's books the way someone using QuickBooks would.

The QuickBooks emulator runs on the Xero emulator's clock, so a test that moves
`emulated.xero.clock` moves the service's clock and QuickBooks' together.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

import pytest

from chalicelib.adapters.providers.quickbooks.mappers import contact_from_qbo, item_from_qbo
from chalicelib.domain.accounting import AppContact, AppItem, RecordStatus
from localdev.emukit import serve_in_thread
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from localdev.quickbooks.accounting.books import Books, Record
from localdev.quickbooks.accounting.companies import Company
from localdev.quickbooks.accounting.demo import seed_records
from tests.support.auth import bearer
from tests.support.consent import redirect_params
from tests.support.emulated import TENANT, Emulated
from tests.support.quickbooks_emulator_fixtures import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from tests.support.quickbooks_provider import emulated_quickbooks_settings

# Loc8's demo chart codes → the QuickBooks demo company's account of the same kind:
# 200 sales, 260 other revenue, 400 an expense (QuickBooks names an account by its Id).
ACCOUNT_NAMES = {"200": "Sales", "260": "Services", "400": "Motor Vehicle Expenses"}
# What the business already has in QuickBooks besides the demo company's own customers
# (the contacts every app's shared tests start with).
STARTING_CONTACTS = (
    ("Boom FM", "finance@boomfm.example.com"),
    ("City Agency", "ap@cityagency.example.com"),
    ("Harbour Dental", None),
)
# A supplier in QuickBooks is a Vendor, a list of its own that the customers sync never
# reads: no Customer becomes a supplier by a bill, so there is nothing to tell apart.
VENDORS_APART = "QuickBooks keeps suppliers apart, as Vendors (not emulated)"
OWN_ITEM = ("FLT01", "Replacement filter", "45.00")
# Service state a provider's adapters are built from; rebuilt once QuickBooks is set up.
PROVIDER_DEPENDENTS = ("provider_registry", "providers", "consent", "configuration", "sync_worker")


def _company(qbo: QuickBooksEmulator) -> Company:
    company = qbo.companies.company(DEMO_REALM_ID)
    assert company is not None
    return company


class EntityReads:
    """Wraps the emulator's WSGI app and counts the requests that read each entity: a
    query naming it, a change feed listing it, or a batch carrying either."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()  # the emulator answers on several threads
        self.counts: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        self._count(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), body)
        return self._app(environ, start_response)

    def _count(self, path: str, query: str, body: bytes) -> None:
        text = unquote_plus(query)
        if path.endswith("/batch"):
            text = body.decode("utf-8", "replace")
        elif not path.endswith(("/query", "/cdc")):
            return
        for entity in ("Customer", "Item"):
            if re.search(rf"\bfrom {entity}\b|entities=[\w,]*\b{entity}\b", text, re.I) or (
                '"CDCQuery"' in text and re.search(rf"\b{entity}\b", text)
            ):
                with self._lock:
                    self.counts[entity] += 1


@dataclass
class QuickBooksEmulated(Emulated):
    """The service connected to QuickBooks Online instead of Xero."""

    qbo: QuickBooksEmulator | None = None
    reads: EntityReads | None = None

    @property
    def quickbooks(self) -> QuickBooksEmulator:
        assert self.qbo is not None
        return self.qbo

    def connect(self) -> str:
        added = self.client.http.post(
            "/v1/integrations",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps({"app": "quickbooks"}),
        ).json_body
        callback = self.quickbooks.consent(
            added["authorize_url"], realm_id=DEMO_REALM_ID
        ).removeprefix("https://integrations.loc8.test")
        params = redirect_params(self.client.http.get(callback))
        assert params["result"] == "granted", params
        finished = self.client.http.post(
            f"/v1/integrations/{params['integration_id']}/consent",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps({"handle": params["handle"]}),
        )
        assert finished.status_code == 200, finished.body
        assert finished.json_body["status"] == "AUTHORISED", finished.body
        return str(added["id"])

    def activate(self, sync: dict[str, bool] | None = None) -> str:
        integration_id = self.connect()
        saved = self.client.http.put(
            f"/v1/integrations/{integration_id}/config",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps(
                {
                    "sync": sync or {"tax_rates": True, "customers": True},
                    # QuickBooks has no drafts: every invoice it holds is approved.
                    "invoice_status": "AUTHORISED",
                    "default_account_code": account_ids(self.quickbooks)["200"],
                    "line_item_accounts": {},
                    "tax_rate_mappings": admin_tax_rate_mappings(self.quickbooks),
                }
            ),
        )
        assert saved.status_code == 200, saved.body
        return integration_id


def account_ids(qbo: QuickBooksEmulator) -> dict[str, str]:
    """Loc8's chart code → the Id of the QuickBooks account that stands for it."""
    books = _company(qbo).books
    with books.lock:
        by_name = {a["Name"]: str(a["Id"]) for a in books.table("Account").values()}
    return {code: by_name[name] for code, name in ACCOUNT_NAMES.items()}


def tax_code_id(qbo: QuickBooksEmulator, name: str) -> str:
    books = _company(qbo).books
    with books.lock:
        [code] = [c["Id"] for c in books.table("TaxCode").values() if c["Name"] == name]
    return str(code)


def admin_tax_rate_mappings(qbo: QuickBooksEmulator) -> dict[str, str]:
    """Loc8's 0% types have no same-named QuickBooks code, and three QuickBooks codes are
    0%: the admin picks one for each, as the settings page asks."""
    return {
        "GST_FREE": tax_code_id(qbo, "GST free"),
        "BAS_EXCLUDED": tax_code_id(qbo, "Out of scope"),
    }


@contextmanager
def quickbooks_emulated(base: Emulated) -> Iterator[QuickBooksEmulated]:
    """`base`'s service, before any job ran, set up to sync with QuickBooks' demo company
    (which also holds the contacts and the item every app's shared tests start with)."""
    qbo = QuickBooksEmulator(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], clock=base.xero.clock)
    reads = EntityReads(qbo.app)
    with serve_in_thread(reads) as server:
        container = base.container
        providers = {**container.settings.providers}
        providers["quickbooks"] = emulated_quickbooks_settings(server.url)
        container.settings = container.settings.model_copy(update={"providers": providers})
        for name in PROVIDER_DEPENDENTS:
            container.__dict__.pop(name, None)
        _seed_starting_books(qbo)
        yield QuickBooksEmulated(base.client, base.xero, base.loc8, container, qbo, reads)


def _seed_starting_books(qbo: QuickBooksEmulator) -> None:
    company = _company(qbo)
    now = qbo.clock.now()
    seed_records(
        company,
        "Customer",
        [_customer_body(name, email) for name, email in STARTING_CONTACTS],
        now,
    )
    code, name, price = OWN_ITEM
    seed_records(company, "Item", [_item_body(qbo, code, name, price)], now)


def _tax_rate_body(name: str, percent: str) -> dict[str, Any]:
    value = float(percent)
    return {
        "Name": name,
        "Description": name,
        "Active": True,
        "RateValue": value,
        "AgencyRef": {"value": "1"},
        "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
        "EffectiveTaxRate": [{"RateValue": value, "EffectiveDate": "2000-07-01T00:00:00Z"}],
    }


def _customer_body(name: str, email: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": name}
    if email:
        body["PrimaryEmailAddr"] = {"Address": email}
    return body


def _item_body(qbo: QuickBooksEmulator, code: str, name: str, price: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Sku": code,
        "Type": "Service",
        "UnitPrice": float(price),
        "IncomeAccountRef": {"value": account_ids(qbo)["200"]},
        "SalesTaxCodeRef": {"value": tax_code_id(qbo, "GST")},
    }


@dataclass
class QuickBooksKit:
    emulated: QuickBooksEmulated
    gst_code: str
    accounts: dict[str, str]
    name: str = "quickbooks"
    # A query answers at most 1,000 records (MAXRESULTS); CDC as many per entity.
    page_size: int = 1000
    # The demo company's four customers and the three every app starts with.
    starting_customers: int = 7
    own_item_code: str = OWN_ITEM[0]
    tax_rate_mappings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def install(cls, emulated: QuickBooksEmulated) -> QuickBooksKit:
        qbo = emulated.quickbooks
        return cls(
            emulated,
            tax_code_id(qbo, "GST"),
            account_ids(qbo),
            tax_rate_mappings=admin_tax_rate_mappings(qbo),
        )

    @property
    def _qbo(self) -> QuickBooksEmulator:
        return self.emulated.quickbooks

    def _books(self) -> Books:
        return _company(self._qbo).books

    def _records(self, entity: str) -> list[Record]:
        books = self._books()
        with books.lock:
            return [dict(r) for r in books.table(entity).values()]

    def app(self, integration_id: str) -> Any:
        container = self.emulated.container
        return container.providers.app_for(container.repo.get(TENANT, integration_id))

    def contacts(self) -> list[AppContact]:
        found = [contact_from_qbo(body) for body in self._records("Customer")]
        return [c for c in found if c.status is RecordStatus.ACTIVE]

    def items(self) -> dict[str, AppItem]:
        found = [item_from_qbo(body) for body in self._records("Item")]
        return {item.code: item for item in found if item is not None}

    def seed_contacts(self, contacts: list[tuple[str, str]]) -> None:
        bodies = [_customer_body(name, email) for name, email in contacts]
        seed_records(_company(self._qbo), "Customer", bodies, self._qbo.clock.now())

    def seed_item(self, code: str, name: str, price: str) -> None:
        body = _item_body(self._qbo, code, name, price)
        seed_records(_company(self._qbo), "Item", [body], self._qbo.clock.now())

    def _reads(self, entity: str) -> int:
        # Read by a query or, in a periodic sync, in the change feed every enabled kind
        # of record shares (which may travel in a batch with the settings' queries).
        assert self.emulated.reads is not None
        return self.emulated.reads.counts[entity]

    def contact_pages_read(self) -> int:
        return self._reads("Customer")

    def item_reads(self) -> int:
        return self._reads("Item")

    def writes_made(self) -> int:
        # A batch request carries reads (the settings) as well as writes, so what is
        # counted is the changes the company's books took, not POSTs.
        books = self._books()
        with books.lock:
            return books.version

    def add_bill(self, name: str) -> None:
        pytest.skip(VENDORS_APART)

    def add_sale(self, name: str) -> None:
        pytest.skip(VENDORS_APART)

    def _find(self, entity: str, field: str, value: str) -> Record:
        books = self._books()
        [record] = [r for r in books.table(entity).values() if r.get(field) == value]
        return record

    def _restamp(self, entity: str, field: str, value: str, moment: datetime) -> None:
        books = self._books()
        with books.lock:
            record = self._find(entity, field, value)
            record["MetaData"] = {**record["MetaData"], "LastUpdatedTime": books.stamp(moment)}
            books.changed()

    def _changed_at(self, entity: str, field: str, value: str) -> datetime:
        books = self._books()
        with books.lock:
            stamp = str(self._find(entity, field, value)["MetaData"]["LastUpdatedTime"])
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    def add_sales_tax_rate(self, name: str, percent: str) -> str:
        """Someone adds a sales tax rate and the code made of it (QuickBooks' TaxService,
        which the emulator does not serve); the code's Id."""
        books = self._books()
        now = self._qbo.clock.now()
        with books.lock:
            rate = books.insert("TaxRate", _tax_rate_body(name, percent), now)
            detail = {"TaxRateRef": {"value": rate["Id"], "name": name}, "TaxOrder": 0}
            code = books.insert(
                "TaxCode",
                {
                    "Name": name,
                    "Description": name,
                    "Active": True,
                    "Hidden": False,
                    "Taxable": True,
                    "TaxGroup": False,
                    "SalesTaxRateList": {
                        "TaxRateDetail": [{**detail, "TaxTypeApplicable": "TaxOnAmount"}]
                    },
                    "PurchaseTaxRateList": {"TaxRateDetail": []},
                },
                now,
            )
        return str(code["Id"])

    def change_tax_rate(self, code: str, percent: str) -> None:
        """Someone changes the percentage of the rate a (user-defined) code is made of."""
        books = self._books()
        with books.lock:
            [detail] = books.table("TaxCode")[code]["SalesTaxRateList"]["TaxRateDetail"]
            rate = books.table("TaxRate")[detail["TaxRateRef"]["value"]]
            rate.update(_tax_rate_body(rate["Name"], percent))
            books.touch(rate, self._qbo.clock.now())

    def restamp_contact(self, name: str, moment: datetime) -> None:
        self._restamp("Customer", "DisplayName", name, moment)

    def contact_changed_at(self, name: str) -> datetime:
        return self._changed_at("Customer", "DisplayName", name)

    def restamp_item(self, code: str, moment: datetime) -> None:
        self._restamp("Item", "Sku", code, moment)

    def item_changed_at(self, code: str) -> datetime:
        return self._changed_at("Item", "Sku", code)
