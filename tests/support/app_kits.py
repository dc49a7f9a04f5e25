"""The accounting app a syncer test runs against: Xero's emulator, or Fake Books (an
in-memory app with other limits). A test takes the `app_kit` fixture and runs once
per app; what it does "in the app" and what it reads back goes through the kit, so
no test knows which app it talks to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from chalicelib.domain.accounting import AppContact, AppInvoice, AppItem, RecordStatus
from localdev.xero import DEMO_TENANT_ID
from tests.support.emulated import TENANT, Emulated
from tests.support.fake_app import FakeApp, install_fake_books

WRITES = ("create_", "update_", "save_")
# Apps that name accounts by Loc8's chart codes.
SAME_ACCOUNT_CODES = {"200": "200", "260": "260", "400": "400"}


class AppKit(Protocol):
    name: str
    # Records the app answers a page with, and the app's own tax code for Loc8's GST.
    page_size: int
    gst_code: str
    # Customer contacts the app starts with (suppliers only are not customers).
    starting_customers: int
    # An item the app has before connecting, that Loc8 does not.
    own_item_code: str
    # Loc8's demo chart codes (200 sales, 260 other revenue, 400 an expense) → the code
    # the app names the same account by.
    accounts: dict[str, str]
    # Loc8's tax type → the app's rate, as the admin maps the ones the sync cannot match.
    tax_rate_mappings: dict[str, str]

    def app(self, integration_id: str) -> Any:
        """The service's adapter for the integration: the `AccountingApp` port."""

    def contacts(self) -> list[AppContact]:
        """Every active contact in the app."""

    def items(self) -> dict[str, AppItem]:
        """Every item in the app, by code."""

    def seed_contacts(self, contacts: list[tuple[str, str]]) -> None:
        """(name, email) contacts made in the app at once, outside the service."""

    def seed_item(self, code: str, name: str, price: str) -> None:
        """An item made in the app, outside the service, sold into account 200 with GST."""

    def contact_pages_read(self) -> int: ...

    def add_bill(self, name: str) -> None:
        """A bill from this contact is entered in the app (the app then marks it a supplier)."""

    def add_sale(self, name: str) -> None:
        """A sales invoice to this contact is entered in the app (it is then a customer)."""

    def restamp_contact(self, name: str, moment: datetime) -> None:
        """Give a contact another change time, as a write that became visible late would."""

    def contact_changed_at(self, name: str) -> datetime: ...

    def restamp_item(self, code: str, moment: datetime) -> None: ...

    def item_changed_at(self, code: str) -> datetime: ...

    def writes_made(self) -> int:
        """Write requests the app has answered so far."""

    def item_reads(self) -> int: ...


def active_customer_names(kit: AppKit) -> list[str]:
    return [c.name for c in kit.contacts() if c.is_customer or not c.is_supplier]


@dataclass
class XeroKit:
    emulated: Emulated
    name: str = "xero"
    page_size: int = 1000
    gst_code: str = "OUTPUT"
    starting_customers: int = 6
    own_item_code: str = "FILTER-01"
    accounts: dict[str, str] = field(default_factory=lambda: dict(SAME_ACCOUNT_CODES))
    tax_rate_mappings: dict[str, str] = field(default_factory=dict)

    def app(self, integration_id: str) -> Any:
        container = self.emulated.container
        return container.providers.app_for(container.repo.get(TENANT, integration_id))

    def contacts(self) -> list[AppContact]:
        state = self.emulated.xero.accounting_state(DEMO_TENANT_ID)
        return [
            AppContact(
                id=c["ContactID"],
                name=c["Name"],
                email=c.get("EmailAddress") or None,
                is_customer=bool(c.get("IsCustomer")),
                is_supplier=bool(c.get("IsSupplier")),
            )
            for c in state["Contacts"]
            if c.get("ContactStatus") == "ACTIVE"
        ]

    def items(self) -> dict[str, AppItem]:
        state = self.emulated.xero.accounting_state(DEMO_TENANT_ID)
        return {
            i["Code"]: AppItem(
                id=i["ItemID"],
                code=i["Code"],
                name=i.get("Name") or "",
                unit_price=Decimal(str((i.get("SalesDetails") or {}).get("UnitPrice", 0))),
                account_code=(i.get("SalesDetails") or {}).get("AccountCode"),
                tax_type=(i.get("SalesDetails") or {}).get("TaxType"),
            )
            for i in state["Items"]
        }

    def seed_contacts(self, contacts: list[tuple[str, str]]) -> None:
        self.emulated.xero.seed(
            DEMO_TENANT_ID,
            Contacts=[{"Name": name, "EmailAddress": email} for name, email in contacts],
        )

    def seed_item(self, code: str, name: str, price: str) -> None:
        details = {"UnitPrice": float(price), "AccountCode": "200", "TaxType": self.gst_code}
        self.emulated.xero.seed(
            DEMO_TENANT_ID, Items=[{"Code": code, "Name": name, "SalesDetails": details}]
        )

    def contact_pages_read(self) -> int:
        return self.emulated.xero.calls["GET /api.xro/2.0/Contacts"]

    def add_bill(self, name: str) -> None:
        self._seed_invoice(name, "ACCPAY", "429")

    def add_sale(self, name: str) -> None:
        self._seed_invoice(name, "ACCREC", "200")

    def _seed_invoice(self, name: str, invoice_type: str, account_code: str) -> None:
        line = {
            "Description": "Work",
            "Quantity": 1,
            "UnitAmount": 100,
            "AccountCode": account_code,
        }
        self.emulated.xero.seed(
            DEMO_TENANT_ID,
            Invoices=[{"Type": invoice_type, "Contact": {"Name": name}, "LineItems": [line]}],
        )

    def writes_made(self) -> int:
        return sum(n for call, n in self.emulated.xero.calls.items() if not call.startswith("GET"))

    def item_reads(self) -> int:
        return self.emulated.xero.calls["GET /api.xro/2.0/Items"]

    def _item(self, code: str) -> dict[str, Any]:
        books = self.emulated.xero.books(DEMO_TENANT_ID)
        [item] = [i for i in books.items.values() if i["Code"] == code]
        return item

    def restamp_item(self, code: str, moment: datetime) -> None:
        self._item(code)["UpdatedDateUTC"] = moment

    def item_changed_at(self, code: str) -> datetime:
        return self._item(code)["UpdatedDateUTC"]

    def _contact(self, name: str) -> dict[str, Any]:
        books = self.emulated.xero.books(DEMO_TENANT_ID)
        [contact] = [c for c in books.contacts.values() if c["Name"] == name]
        return contact

    def restamp_contact(self, name: str, moment: datetime) -> None:
        self._contact(name)["UpdatedDateUTC"] = moment

    def contact_changed_at(self, name: str) -> datetime:
        return self._contact(name)["UpdatedDateUTC"]


@dataclass
class FakeBooksKit:
    emulated: Emulated
    books: FakeApp
    name: str = "fake_books"
    page_size: int = 10
    gst_code: str = "S10"
    starting_customers: int = 3
    own_item_code: str = "FLT01"
    accounts: dict[str, str] = field(default_factory=lambda: dict(SAME_ACCOUNT_CODES))
    tax_rate_mappings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def install(cls, emulated: Emulated) -> FakeBooksKit:
        books = install_fake_books(emulated)
        # What a small business already has in its books before connecting.
        for name, email in (
            ("Boom FM", "finance@boomfm.example.com"),
            ("City Agency", "ap@cityagency.example.com"),
            ("Harbour Dental", None),
        ):
            books.add_contact(name, email)
        supplier = books.add_contact("PowerDirect", "accounts@powerdirect.example")
        books.add_bill(supplier.id)
        books.items_by_id["fb-item-own"] = AppItem(
            id="fb-item-own",
            code="FLT01",
            name="Replacement filter",
            unit_price=Decimal("45.00"),
            account_code="200",
            tax_type="S10",
            updated_at=books.clock(),
        )
        return cls(emulated, books, page_size=books.page_size)

    def app(self, integration_id: str) -> Any:
        return self.books

    def contacts(self) -> list[AppContact]:
        return [c for c in self.books.contacts.values() if c.status is RecordStatus.ACTIVE]

    def items(self) -> dict[str, AppItem]:
        return {i.code: i for i in self.books.items_by_id.values()}

    def seed_contacts(self, contacts: list[tuple[str, str]]) -> None:
        for name, email in contacts:
            self.books.add_contact(name, email)

    def seed_item(self, code: str, name: str, price: str) -> None:
        item_id = f"fb-item-{code.lower()}"
        self.books.items_by_id[item_id] = AppItem(
            id=item_id,
            code=code,
            name=name,
            unit_price=Decimal(price),
            account_code="200",
            tax_type=self.gst_code,
            updated_at=self.books.clock(),
        )

    def contact_pages_read(self) -> int:
        return self.books.calls["contact_pages"]

    def add_bill(self, name: str) -> None:
        self.books.add_bill(self._contact(name).id)

    def add_sale(self, name: str) -> None:
        contact = self._contact(name)
        self.books.add_invoice(
            AppInvoice(
                number=f"S-{contact.id}", contact_id=contact.id, date=self.books.clock().date()
            )
        )

    def writes_made(self) -> int:
        return sum(n for call, n in self.books.calls.items() if call.startswith(WRITES))

    def item_reads(self) -> int:
        return self.books.calls["items"]

    def restamp_item(self, code: str, moment: datetime) -> None:
        item = self.items()[code]
        self.books.items_by_id[item.id or ""] = item.model_copy(update={"updated_at": moment})

    def item_changed_at(self, code: str) -> datetime:
        changed = self.items()[code].updated_at
        assert changed is not None
        return changed

    def _contact(self, name: str) -> AppContact:
        [contact] = [c for c in self.books.contacts.values() if c.name == name]
        return contact

    def restamp_contact(self, name: str, moment: datetime) -> None:
        contact = self._contact(name)
        self.books.contacts[contact.id] = contact.model_copy(update={"updated_at": moment})

    def contact_changed_at(self, name: str) -> datetime:
        changed = self._contact(name).updated_at
        assert changed is not None
        return changed


def draft_status(kit: AppKit, integration_id: str) -> str:
    """The config's invoice status that sends drafts, or approved invoices to an app
    without drafts (the settings offer only what the app has)."""
    return "DRAFT" if kit.app(integration_id).profile.has_draft_invoices else "AUTHORISED"


def loc8_customers(emulated: Emulated) -> list[dict]:
    return emulated.loc8.snapshot(TENANT)["customers"]


def assert_one_to_one(emulated: Emulated, kit: AppKit, integration_id: str) -> None:
    """Every app customer is exactly one Loc8 customer and every Loc8 customer exactly
    one app contact, names compared as the app holds them (cut to its limit)."""
    limit = kit.app(integration_id).profile.contact_name_max_length
    in_loc8 = Counter(c["name"][:limit] for c in loc8_customers(emulated))
    in_app = Counter(c.name for c in kit.contacts())
    for name in active_customer_names(kit):
        assert in_loc8[name] == 1, name
    for customer in loc8_customers(emulated):
        assert in_app[customer["name"][:limit]] == 1, customer["name"]
