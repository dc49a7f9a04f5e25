"""Driving QuickBooks Online on the local stack over real HTTP, as people and the web
client would: the service's API, the QuickBooks emulator's consent page and its
`/_emulator` controls, and the Loc8 emulator's controls.

Each scenario gets a Loc8 tenant of its own (seeded with the demo data), so it never
disturbs the Xero scenarios that sync the `demo` tenant, nor another QuickBooks one.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests

from localdev.quickbooks import DEMO_REALM_ID
from localdev.stack import LocalStack
from tests.support.local_stack import admin
from tests.support.xero_flow import parse_page

TIMEOUT = 10
DEMO_COMPANY = "Loc8 Demo Plumbing Pty Ltd"
BANK_ACCOUNT = "Business Cheque Account"  # in every company's chart
BATCH = "/v3/company/{realm_id}/batch"
EVERY_DOMAIN = {
    "tax_rates": True,
    "customers": True,
    "line_items": True,
    "invoices": True,
    "payments": True,
}
# One delivery of a sync job may work this long before it stops and continues in a new
# one (deployed: 4 minutes less a 45-second reserve). Short enough that a test can hold
# one QuickBooks call past it, long enough that no ordinary delivery here reaches it.
DELIVERY_BUDGET_SECONDS = 6.0
FINISHED = ("SUCCEEDED", "PARTIAL", "FAILED")
SYNC_WAIT_SECONDS = 60.0

T = TypeVar("T")


class ShortDeliveryStack(LocalStack):
    """The local stack with a worker whose deliveries are cut off after a few seconds,
    as a Lambda's are at its time budget."""

    def service_env(self) -> dict[str, str]:
        return {
            **super().service_env(),
            "SYNC_DELIVERY_BUDGET_SECONDS": str(DELIVERY_BUDGET_SECONDS),
            "SYNC_TIME_RESERVE_SECONDS": "0",
        }


def wait_for(check: Callable[[], T | None], seconds: float = SYNC_WAIT_SECONDS) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {seconds} s")


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class QuickBooksCompany:
    """One company in the QuickBooks emulator, read and steered through its controls."""

    url: str
    realm_id: str
    name: str

    def records(self, entity: str) -> list[dict[str, Any]]:
        """Every record of `entity` (inactive and voided ones too; not deleted ones)."""
        answer = requests.get(
            f"{self.url}/_emulator/companies/{self.realm_id}/records", timeout=TIMEOUT
        )
        answer.raise_for_status()
        return list(answer.json()["records"].get(entity, []))

    def by_name(self, entity: str) -> dict[str, str]:
        return {r["Name"]: r["Id"] for r in self.records(entity)}

    def copies(self) -> dict[str, Counter[str]]:
        """How many records each customer name, item name and invoice number has."""
        return {
            "Customer": Counter(r["DisplayName"] for r in self.records("Customer")),
            "Item": Counter(r["Name"] for r in self.records("Item")),
            "Invoice": Counter(r["DocNumber"] for r in self.records("Invoice")),
        }

    def counts(self) -> dict[str, int]:
        return {e: len(self.records(e)) for e in ("Customer", "Item", "Invoice", "Payment")}

    def pay(self, invoice: dict[str, Any]) -> None:
        """The company's user records a payment of the invoice's balance into the bank."""
        self.seed(
            "Payment",
            [
                {
                    "CustomerRef": invoice["CustomerRef"],
                    "TotalAmt": invoice["Balance"],
                    "TxnDate": "2026-11-30",
                    "DepositToAccountRef": {"value": self.by_name("Account")[BANK_ACCOUNT]},
                    "Line": [
                        {
                            "Amount": invoice["Balance"],
                            "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}],
                        }
                    ],
                }
            ],
        )

    def seed(self, entity: str, bodies: list[dict[str, Any]]) -> list[str]:
        """Records made in QuickBooks by its user (through the API's rules)."""
        made = requests.post(
            f"{self.url}/_emulator/companies/{self.realm_id}/seed",
            json={entity: bodies},
            timeout=TIMEOUT,
        )
        assert made.status_code == 201, made.text
        return list(made.json()[entity])


@dataclass(frozen=True)
class QuickBooksEmulator:
    url: str

    @classmethod
    def of(cls, stack: LocalStack) -> QuickBooksEmulator:
        return cls(stack.app_url("quickbooks"))

    def demo_company(self) -> QuickBooksCompany:
        return QuickBooksCompany(self.url, DEMO_REALM_ID, DEMO_COMPANY)

    def add_company(self, name: str) -> QuickBooksCompany:
        """A new AU company with QuickBooks' chart and tax codes, and no customers."""
        added = requests.post(
            f"{self.url}/_emulator/companies", json={"name": name}, timeout=TIMEOUT
        )
        assert added.status_code == 201, added.text
        return QuickBooksCompany(self.url, added.json()["realmId"], name)

    def faults(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_emulator/faults", timeout=TIMEOUT).json())

    def add_fault(self, **fault: Any) -> None:
        added = requests.post(f"{self.url}/_emulator/faults", json=fault, timeout=TIMEOUT)
        assert added.status_code in (200, 201), added.text

    def fault_on_a_write(self, start: Callable[[], None], **fault: Any) -> None:
        """Run `start` (which begins a sync job) with `fault` on the job's first write.

        Each job reads the company's settings in one batch first and writes in batches
        after it; the kit's faults match a path, not which batch it is. So the settings
        read is held a moment, and the fault is added while it waits: the next batch,
        the first write, takes it.
        """
        self.add_fault(method="POST", path=BATCH, mode="delay", latency_ms=800, times=1)
        start()
        wait_for(lambda: not self.faults(), 20)
        self.add_fault(method="POST", path=BATCH, times=1, **fault)

    def consents(self, realm_id: str) -> list[bool]:
        """Each consent the app was given for this company, oldest first: still live?"""
        state = requests.get(f"{self.url}/_emulator/state", timeout=TIMEOUT).json()
        return [g["revokedAt"] is None for g in state["grants"] if g["realmId"] == realm_id]

    def calls(self) -> dict[str, int]:
        return dict(requests.get(f"{self.url}/_emulator/calls", timeout=TIMEOUT).json())


@dataclass
class Loc8Tenant:
    """A Loc8 tenant on the stack: its admin in the service's API, its data in the Loc8
    emulator."""

    stack: LocalStack
    tenant_id: str

    @classmethod
    def seeded(cls, stack: LocalStack, tenant_id: str) -> Loc8Tenant:
        added = requests.post(
            f"{stack.loc8_url}/_emulator/tenants",
            json={"tenant_id": tenant_id, "seed": "demo"},
            timeout=TIMEOUT,
        )
        assert added.status_code == 201, added.text
        return cls(stack, tenant_id)

    def api(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        return requests.request(
            method,
            f"{self.stack.api_url}{path}",
            json=body,
            headers={**admin(tenant=self.tenant_id), **headers},
            timeout=TIMEOUT,
        )

    def snapshot(self) -> dict[str, Any]:
        return dict(
            requests.get(
                f"{self.stack.loc8_url}/_emulator/tenants/{self.tenant_id}", timeout=TIMEOUT
            ).json()
        )

    def record_payment(self, invoice: dict[str, Any], reference: str) -> None:
        """A payment taken on site for what the invoice still owes."""
        taken = requests.post(
            f"{self.stack.loc8_url}/_emulator/tenants/{self.tenant_id}"
            f"/invoices/{invoice['id']}/payments",
            json={
                "external_id": reference,
                "amount": invoice["amount_due"],
                "paid_on": "2026-11-30",
                "reference": "Card",
            },
            timeout=TIMEOUT,
        )
        assert taken.status_code == 201, taken.text

    # --- the integration ----------------------------------------------------------

    def add_quickbooks(self) -> dict[str, Any]:
        added = self.api("POST", "/v1/integrations", {"app": "quickbooks"})
        assert added.status_code == 201, added.text
        return dict(added.json())

    def consent(self, authorize_url: str, company: QuickBooksCompany) -> str:
        """On QuickBooks' consent page, pick `company` and Connect; returns where
        QuickBooks sends the browser."""
        page = requests.get(authorize_url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        form = parse_page(page.text)
        offered = {
            form.labels.get(str(field.get("id")), ""): str(field["value"])
            for field in form.inputs
            if field.get("name") == "realm_id"
        }
        [realm_id] = [value for label, value in offered.items() if label.startswith(company.name)]
        answer = requests.post(
            authorize_url,
            data={"decision": "allow", "realm_id": realm_id},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])

    def connect(self, company: QuickBooksCompany) -> str:
        """Add QuickBooks, consent to `company`, follow the callback and finish as the
        admin who added it; returns the integration's id."""
        added = self.add_quickbooks()
        callback = self.consent(added["authorize_url"], company)
        assert callback.startswith(f"{self.stack.api_url}/v1/oauth/quickbooks/callback")
        assert parse_qs(urlsplit(callback).query)["realmId"] == [company.realm_id]
        returned = requests.get(callback, allow_redirects=False, timeout=TIMEOUT)
        assert returned.status_code == 302, returned.text
        query = {k: v[0] for k, v in parse_qs(urlsplit(returned.headers["Location"]).query).items()}
        assert (query["integration_id"], query["result"]) == (added["id"], "granted")
        finished = self.api(
            "POST", f"/v1/integrations/{added['id']}/consent", {"handle": query["handle"]}
        )
        assert finished.status_code == 200, finished.text
        # One company per consent: bound at once, with no organisation to choose.
        assert finished.json()["status"] == "AUTHORISED"
        assert finished.json()["organisation"] == {"id": company.realm_id, "name": company.name}
        return str(added["id"])

    def config_for(self, integration_id: str) -> dict[str, Any]:
        """Every domain, approved invoices, accounts and tax codes from QuickBooks' own
        lists as the settings page shows them."""
        accounts = self.api("GET", f"/v1/integrations/{integration_id}/accounts").json()
        income = {a["name"]: a["code"] for a in accounts["accounts"] if a["class"] == "REVENUE"}
        deposit = {a["name"]: a["code"] for a in accounts["accounts"] if a["accepts_payments"]}
        rates = self.api("GET", f"/v1/integrations/{integration_id}/tax-rates").json()
        codes = {r["name"]: r["code"] for r in rates["tax_rates"]}
        return {
            "sync": EVERY_DOMAIN,
            "invoice_status": "AUTHORISED",
            "default_account_code": income["Sales"],
            "line_item_accounts": {},
            "payment_account_code": deposit[BANK_ACCOUNT],
            # Three QuickBooks codes are 0%: the admin picks one for each 0% Loc8 type.
            "tax_rate_mappings": {
                "GST_FREE": codes["GST free"],
                "BAS_EXCLUDED": codes["Out of scope"],
            },
        }

    def configure(self, integration_id: str, config: dict[str, Any] | None = None) -> None:
        saved = self.api(
            "PUT",
            f"/v1/integrations/{integration_id}/config",
            config or self.config_for(integration_id),
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "ACTIVE"

    def disconnect(self, integration_id: str) -> None:
        gone = self.api("DELETE", f"/v1/integrations/{integration_id}")
        assert gone.status_code in (204, 404), gone.text

    # --- runs ------------------------------------------------------------------------

    def runs(self, integration_id: str) -> list[dict[str, Any]]:
        return list(self.api("GET", f"/v1/integrations/{integration_id}/sync-runs").json()["runs"])

    def run(self, integration_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.api("GET", f"/v1/integrations/{integration_id}/sync-runs/{run_id}").json())

    def finished_run(self, integration_id: str, count: int = 1) -> dict[str, Any]:
        """The newest run, once there are `count` runs and it has finished (errors too)."""

        def newest() -> dict[str, Any] | None:
            found = self.runs(integration_id)
            if len(found) >= count and found[0]["status"] in FINISHED:
                return self.run(integration_id, found[0]["id"])
            return None

        return wait_for(newest)

    def sync_now(self, integration_id: str) -> dict[str, Any]:
        """Ask for a sync, as the page's "Sync now" does, and wait for it to finish."""
        before = len(self.runs(integration_id))
        self.start_sync(integration_id)
        return self.finished_run(integration_id, before + 1)

    def start_sync(self, integration_id: str) -> None:
        queued = self.api("POST", f"/v1/integrations/{integration_id}/sync")
        assert queued.status_code == 202, queued.text


def sent_invoices(loc8: dict[str, Any]) -> dict[str, Decimal]:
    """Loc8's issued and paid invoices (drafts stay in Loc8): number to total."""
    return {
        i["number"]: money(i["total"])
        for i in loc8["invoices"]
        if i["status"] in ("issued", "paid")
    }


def loc8_payments(loc8: dict[str, Any], app: str) -> list[tuple[str, Decimal]]:
    """Payments recorded in Loc8 by `app` ("loc8" for those taken on site): by invoice."""
    return sorted(
        (i["number"], money(p["amount"]))
        for i in loc8["invoices"]
        for p in i["payments"]
        if p["app"] == app
    )


def quickbooks_payments(company: QuickBooksCompany) -> list[tuple[str, Decimal]]:
    """Each payment line in QuickBooks against an invoice: (invoice number, amount)."""
    numbers = {i["Id"]: i["DocNumber"] for i in company.records("Invoice")}
    return sorted(
        (numbers[linked["TxnId"]], money(line["Amount"]))
        for payment in company.records("Payment")
        for line in payment.get("Line", [])
        for linked in line.get("LinkedTxn", [])
        if linked.get("TxnType") == "Invoice"
    )
