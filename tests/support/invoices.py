"""Invoices on both sides of an invoice sync: the Loc8 emulator, and the app (Xero's emulator
or Fake Books) behind one `AppSide`; and the service configured and run for invoices."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from chalicelib.adapters.links_repo import DynamoLinks
from chalicelib.adapters.providers.xero.mappers import invoice_from_xero
from chalicelib.adapters.providers.xero.profile import XERO_PROFILE
from chalicelib.domain.accounting import AppInvoice, AppInvoiceStatus, RecordStatus
from chalicelib.domain.app_profile import AppProfile
from chalicelib.domain.errors import ProviderUnavailable, RateLimited
from chalicelib.domain.links import LinkScope
from localdev.loc8.schemas import InvoiceIn, validated
from localdev.xero import DEMO_TENANT_ID
from localdev.xero.accounting import accounts as xero_accounts
from localdev.xero.accounting.records import WriteContext
from tests.support.auth import bearer
from tests.support.emulated import TENANT, Emulated
from tests.support.fake_app import FakeApp, install_fake_books
from tests.support.jobs import drain_queue
from tests.support.sync_runs import run_to_completion

INVOICES = {"tax_rates": True, "customers": True, "invoices": True}
PUT_INVOICES = "PUT /api.xro/2.0/Invoices"
POST_INVOICES = "POST /api.xro/2.0/Invoices"
LOC8_INVOICES = "GET /v1/tenants/{tenant_id}/invoices"
WEB_URL = "http://127.0.0.1:8100"
SENT = 32  # 40 demo invoices, 8 of them drafts


class AppSide(Protocol):
    """What a test reads or does in the accounting app, in the domain's terms."""

    profile: AppProfile
    # Loc8's demo tax codes (and the app's own, as Loc8 has them after the tax-rates
    # sync) → the app's code on an invoice line.
    tax_codes: dict[str, str]
    # Words of the app's refusals: an archived account; an edit to a paid invoice.
    archived_account_words: str
    paid_edit_words: str

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]: ...

    def item_codes(self) -> dict[str, str]:
        """The app's item id → its code."""

    def item_accounts(self) -> dict[str, str]:
        """The app's item id → the sales account it has (items with one only)."""

    def creates(self) -> int: ...

    def updates(self) -> int: ...

    def reads(self) -> Counter[str]:
        """Calls so far: "invoices", "payments", "items" pages, and "writes"."""

    def lose_next_create_answer(self) -> None: ...

    def forget_idempotency_keys(self) -> None: ...

    def fail_next_create(self, error: str) -> None:
        """ "unavailable" or "rate_limited" (37 seconds)."""

    def set_account_active(self, code: str, active: bool) -> None: ...

    def pay(self, invoice_id: str, amount: Decimal) -> str: ...

    def delete_payment(self, payment_id: str) -> None: ...

    def add_invoice_numbered(self, number: str) -> None:
        """Someone makes an invoice in the app with this number."""


class XeroSide:
    profile = XERO_PROFILE
    tax_codes = {"GST": "OUTPUT", "GST_FREE": "EXEMPTOUTPUT", "OUTPUT": "OUTPUT"}
    archived_account_words = "Account code '260' has been archived"
    paid_edit_words = "cannot be edited as it has a payment"

    def __init__(self, emulated: Emulated) -> None:
        self.emulated = emulated
        self.xero = emulated.xero
        self.xero.limits.configure(per_minute=1000)  # these tests count calls, not minutes

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]:
        state = self.xero.accounting_state(DEMO_TENANT_ID)["Invoices"]
        return [
            invoice_from_xero(i)
            for i in state
            if i["Type"] == "ACCREC" and (deleted or i["Status"] != "DELETED")
        ]

    def item_codes(self) -> dict[str, str]:
        items = self.xero.accounting_state(DEMO_TENANT_ID)["Items"]
        return {item["ItemID"]: item["Code"] for item in items}

    def item_accounts(self) -> dict[str, str]:
        items = self.xero.accounting_state(DEMO_TENANT_ID)["Items"]
        return {
            item["ItemID"]: item["SalesDetails"]["AccountCode"]
            for item in items
            if (item.get("SalesDetails") or {}).get("AccountCode")
        }

    def creates(self) -> int:
        return self.xero.calls[PUT_INVOICES]

    def updates(self) -> int:
        return self.xero.calls[POST_INVOICES]

    def reads(self) -> Counter[str]:
        calls = self.xero.calls
        return Counter(
            invoices=calls["GET /api.xro/2.0/Invoices"],
            payments=calls["GET /api.xro/2.0/Payments"],
            items=calls["GET /api.xro/2.0/Items"],
            writes=sum(n for k, n in calls.items() if k.startswith(("PUT", "POST"))),
        )

    def lose_next_create_answer(self) -> None:
        self.xero.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")

    def forget_idempotency_keys(self) -> None:
        self.xero.clock.advance(7 * 60)  # Xero forgets a key after 6 minutes

    def fail_next_create(self, error: str) -> None:
        if error == "unavailable":
            self.xero.faults.add("PUT", "/api.xro/2.0/Invoices", status=500)
        else:
            self.xero.faults.add(
                "PUT",
                "/api.xro/2.0/Invoices",
                status=429,
                headers={"Retry-After": "37", "X-Rate-Limit-Problem": "minute"},
            )

    def set_account_active(self, code: str, active: bool) -> None:
        books = self.xero.books(DEMO_TENANT_ID)
        with books.lock:
            account = books.account_by_code(code)
            assert account is not None
            xero_accounts.save(
                books,
                {"Status": "ACTIVE" if active else "ARCHIVED"},
                WriteContext(
                    now=self.xero.clock.now(),
                    client_id="someone-in-xero",
                    mode="update",
                    target_id=account["AccountID"],
                ),
            )

    def pay(self, invoice_id: str, amount: Decimal) -> str:
        payment = {
            "Invoice": {"InvoiceID": invoice_id},
            "Account": {"Code": "090"},
            "Date": "2026-11-22",
            "Amount": str(amount),
        }
        [payment_id] = self.xero.seed(DEMO_TENANT_ID, Payments=[payment])["Payments"]
        return payment_id

    def delete_payment(self, payment_id: str) -> None:
        container = self.emulated.container
        [integration] = container.repo.list(TENANT)
        app = container.providers.app_for(integration)
        app._call(  # someone removes the payment in Xero
            "POST",
            f"Payments/{payment_id}",
            operation="delete_payment",
            json_body={"Status": "DELETED"},
        )

    def add_invoice_numbered(self, number: str) -> None:
        invoice = {
            "Type": "ACCREC",
            "Contact": {"Name": "Marine Systems"},
            "InvoiceNumber": number,
            "Date": "2026-11-01",
            "LineItems": [{"Description": "Xero's own", "Quantity": 1, "UnitAmount": 10}],
        }
        self.xero.seed(DEMO_TENANT_ID, Invoices=[invoice])


class FakeBooksSide:
    tax_codes = {"GST": "S10", "GST_FREE": "S0", "S10": "S10", "S0": "S0"}
    archived_account_words = "Account 260 is archived"
    paid_edit_words = "paid"

    def __init__(self, emulated: Emulated) -> None:
        self.app: FakeApp = install_fake_books(emulated)
        # The emulators' clock stands still, so all 32 invoices change within one
        # second and a walk of them cannot start past a page: read them in one.
        self.app.page_size = 50
        self.profile = self.app.profile

    def invoices(self, *, deleted: bool = False) -> list[AppInvoice]:
        return [
            i for i in self.app.invoices.values() if deleted or i.status != AppInvoiceStatus.DELETED
        ]

    def item_codes(self) -> dict[str, str]:
        return {item_id: item.code for item_id, item in self.app.items_by_id.items()}

    def item_accounts(self) -> dict[str, str]:
        return {
            item_id: item.account_code
            for item_id, item in self.app.items_by_id.items()
            if item.account_code
        }

    def creates(self) -> int:
        return self.app.calls["create_invoices"]

    def updates(self) -> int:
        return self.app.calls["update_invoices"]

    def reads(self) -> Counter[str]:
        calls = self.app.calls
        writes = ("create_", "update_", "save_")
        return Counter(
            invoices=calls["invoice_pages"] + calls["get_invoices"] + calls["find_invoices"],
            payments=calls["payment_pages"],
            items=calls["items"],
            writes=sum(n for k, n in calls.items() if k.startswith(writes)),
        )

    def lose_next_create_answer(self) -> None:
        self.app.lose_next_answer("create_invoices")

    def forget_idempotency_keys(self) -> None:
        pass  # Fake Books has none

    def fail_next_create(self, error: str) -> None:
        self.app.fail_next(
            "create_invoices",
            ProviderUnavailable("Fake Books is down.")
            if error == "unavailable"
            else RateLimited("Slow down.", retry_after_seconds=37, problem="minute"),
        )

    def set_account_active(self, code: str, active: bool) -> None:
        self.app.set_account_status(code, RecordStatus.ACTIVE if active else RecordStatus.ARCHIVED)

    def pay(self, invoice_id: str, amount: Decimal) -> str:
        return self.app.add_payment(invoice_id, amount, date(2026, 11, 22)).id

    def delete_payment(self, payment_id: str) -> None:
        self.app.delete_payment(payment_id)

    def add_invoice_numbered(self, number: str) -> None:
        contact = self.app.add_contact("Someone else")
        self.app.add_invoice(
            AppInvoice(
                number=number,
                contact_id=contact.id,
                status=AppInvoiceStatus.APPROVED,
                date=date(2026, 11, 1),
            )
        )


def loc8_invoices(emulated: Emulated) -> list[dict]:
    return emulated.loc8.snapshot(TENANT)["invoices"]


def loc8_invoice(emulated: Emulated, invoice_id: str) -> dict:
    return next(i for i in loc8_invoices(emulated) if i["id"] == invoice_id)


def sent_loc8_invoices(emulated: Emulated) -> list[dict]:
    return [i for i in loc8_invoices(emulated) if i["status"] in ("issued", "paid")]


def xero_sales_invoices(emulated: Emulated) -> list[dict]:
    state = emulated.xero.accounting_state(DEMO_TENANT_ID)
    return [i for i in state["Invoices"] if i["Type"] == "ACCREC" and i["Status"] != "DELETED"]


def xero_invoice(emulated: Emulated, number: str) -> dict:
    [found] = [i for i in xero_sales_invoices(emulated) if i["InvoiceNumber"] == number]
    return found


def service_app(emulated: Emulated, integration_id: str) -> Any:
    """The service's own client for the integration's app (acts as someone using it)."""
    container = emulated.container
    return container.providers.app_for(container.repo.get(TENANT, integration_id))


def ours(side: AppSide) -> list[AppInvoice]:
    """The app's invoices the service sent (they link back to Loc8)."""
    return [i for i in side.invoices() if i.url]


def app_invoice(side: AppSide, number: str) -> AppInvoice:
    [found] = [i for i in side.invoices() if i.number == number]
    return found


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def line_items_by_code(emulated: Emulated) -> dict[str, str]:
    return {i["code"]: i["id"] for i in emulated.loc8.snapshot(TENANT)["line_items"]}


def links_of(emulated: Emulated, domain: str, loc8_ids: list[str]) -> dict[str, str]:
    """Loc8 id → the app record it is linked to, for the only integration."""
    container = emulated.container
    [integration] = container.repo.list(TENANT)
    assert integration.organisation is not None
    scope = LinkScope(TENANT, integration.app, integration.organisation.id)
    links = DynamoLinks(container.table).by_loc8(scope, domain, loc8_ids)
    return {loc8_id: link.app_id for loc8_id, link in links.items()}


def customer_links(emulated: Emulated) -> dict[str, str]:
    customers = [c["id"] for c in emulated.loc8.snapshot(TENANT)["customers"]]
    return links_of(emulated, "customers", customers)


def item_codes_on_lines(emulated: Emulated, side: AppSide) -> dict[str, str]:
    """Loc8 line item id → the code of the app item it is linked to."""
    linked = links_of(emulated, "line_items", list(line_items_by_code(emulated).values()))
    codes = side.item_codes()
    return {loc8_id: codes[app_id] for loc8_id, app_id in linked.items()}


def item_accounts_on_lines(emulated: Emulated, side: AppSide) -> dict[str, str]:
    """Loc8 line item id → the sales account of the app item it is linked to."""
    linked = links_of(emulated, "line_items", list(line_items_by_code(emulated).values()))
    accounts = side.item_accounts()
    return {loc8_id: accounts[app_id] for loc8_id, app_id in linked.items() if app_id in accounts}


def assert_mirrored(
    emulated: Emulated,
    side: AppSide,
    accounts: dict[str, str] | None = None,
    *,
    item_codes: dict[str, str] | None = None,
    item_accounts: dict[str, str] | None = None,
) -> None:
    """Exactly one app invoice per issued/paid Loc8 invoice (none for drafts), every
    field as Loc8 has it; with `item_codes` (Loc8 line item id → app item code),
    catalogue lines name the app's item. A line is coded to its explicit mapping in
    `accounts`, else to its app item's own account (`item_accounts`), else to 200."""
    accounts = accounts or {}
    item_accounts = item_accounts or {}
    contacts = customer_links(emulated)
    numbers = Counter(i.number for i in side.invoices())
    for invoice in loc8_invoices(emulated):
        if invoice["status"] == "draft":
            assert numbers[invoice["number"]] == 0, invoice["number"]
            continue
        if invoice["status"] == "voided":
            continue
        assert numbers[invoice["number"]] == 1, invoice["number"]
        sent = app_invoice(side, invoice["number"])
        assert sent.contact_id == contacts[invoice["customer_id"]]
        assert sent.reference == invoice["reference"]
        assert sent.date.isoformat() == invoice["issue_date"]
        assert sent.due_date is not None
        assert sent.due_date.isoformat() == invoice["due_date"]
        assert sent.url == f"{WEB_URL}/invoices/{invoice['id']}"
        assert money(sent.total) == money(invoice["total"])
        assert len(sent.lines) == len(invoice["lines"])
        for line, app_line in zip(invoice["lines"], sent.lines, strict=True):
            assert app_line.description == line["description"]
            assert app_line.quantity == Decimal(line["quantity"])
            assert app_line.unit_amount == Decimal(line["unit_price"])
            assert app_line.tax_type == side.tax_codes[line["tax_type_code"]]
            line_item_id = line["line_item_id"] or ""
            expected_account = (
                accounts.get(line_item_id) or item_accounts.get(line_item_id) or "200"
            )
            assert app_line.account_code == expected_account
            if item_codes is not None:
                assert app_line.item_code == item_codes.get(line["line_item_id"] or "")
        [ref] = [r for r in invoice["external_refs"] if r["app"] == "xero"]
        assert ref["external_id"] == sent.id
        assert ref["url"] == side.profile.invoice_url(sent.id or "")


def configure(
    emulated: Emulated,
    *,
    sync_domains: dict[str, bool] | None = None,
    status: str = "DRAFT",
    accounts: dict[str, str] | None = None,
    payments_into: str | None = None,
) -> str:
    """Connect and save the config (which queues the activation sync); the integration id.
    With `payments_into` (an account code), payments taken in Loc8 are sent too."""
    integration_id = emulated.connect()
    payments = {"payment_account_code": payments_into} if payments_into else {}
    saved = emulated.client.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(TENANT), "Content-Type": "application/json"},
        body=json.dumps(
            {
                "sync": {**(sync_domains or INVOICES), **({"payments": True} if payments else {})},
                "invoice_status": status,
                "default_account_code": "200",
                "line_item_accounts": accounts or {},
                **payments,
            }
        ),
    )
    assert saved.status_code == 200, saved.body
    return integration_id


def get_run(emulated: Emulated, integration_id: str, run_id: str) -> dict:
    return emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{run_id}", headers=bearer(TENANT)
    ).json_body


def activate(emulated: Emulated, **config) -> tuple[str, dict]:
    integration_id = configure(emulated, **config)
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    return integration_id, get_run(emulated, integration_id, job["run_id"])


def callout_account(emulated: Emulated) -> dict[str, str]:
    """CALLOUT lines coded to Other Revenue (260); everything else to the default (200)."""
    return {line_items_by_code(emulated)["CALLOUT"]: "260"}


def edit_loc8_invoice(emulated: Emulated, invoice: dict, lines: list[dict]) -> None:
    """A Loc8 user edits the invoice's lines (with Loc8's tax types, as the sync keeps them)."""
    emulated.loc8.tenant(TENANT).edit_invoice(
        invoice["id"],
        validated(
            InvoiceIn,
            {
                "customer_id": invoice["customer_id"],
                "reference": invoice["reference"],
                "issue_date": invoice["issue_date"],
                "due_date": invoice["due_date"],
                "status": "issued",
                "lines": lines,
            },
        ),
    )


def as_written(side: AppSide, line: dict) -> dict:
    return {
        "line_item_id": line["line_item_id"],
        "description": line["description"],
        "quantity": line["quantity"],
        "unit_price": line["unit_price"],
        # Loc8's own tax type: the tax-rates sync keeps Loc8's types, taking the app's rates.
        "tax_type_code": line["tax_type_code"],
    }


def an_issued_invoice_with(emulated: Emulated, code: str) -> dict:
    item_id = line_items_by_code(emulated)[code]
    return next(
        i
        for i in loc8_invoices(emulated)
        if i["status"] == "issued" and any(line["line_item_id"] == item_id for line in i["lines"])
    )


def void_in_loc8(emulated: Emulated, invoice: dict) -> None:
    tenant = emulated.loc8.tenant(TENANT)
    tenant.set_status(invoice["id"], "voided", tenant.invoice(invoice["id"]).version)


def writes_for(side: AppSide, count: int) -> int:
    return math.ceil(count / side.profile.write_batch_size)


def sent_status(side: AppSide, configured: str) -> AppInvoiceStatus:
    if configured == "DRAFT" and side.profile.has_draft_invoices:
        return AppInvoiceStatus.DRAFT
    return AppInvoiceStatus.APPROVED
