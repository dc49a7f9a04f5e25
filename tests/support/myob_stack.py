"""Driving MYOB Business on the local stack over real HTTP, as people and the web client
would: the service's API, the MYOB emulator's consent page, its API (as the company
file's own user) and its `/_emulator` controls, and the Loc8 emulator's controls.

Each scenario gets a Loc8 tenant and a MYOB company file of its own, so it never
disturbs the other apps' scenarios nor another MYOB one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from localdev.myob.stack_entry import CLIENT_ID, CLIENT_SECRET
from localdev.stack import LocalStack
from tests.support.quickbooks_stack import TIMEOUT, Loc8Tenant, money

BANK_ACCOUNT = "1-1110"  # Business Bank Account, in every company file's chart
SALE_LAYOUTS = ("Sale/Invoice/Item", "Sale/Invoice/Service")
USER_SCOPES = "sme-company-file sme-contacts-customer sme-general-ledger sme-sales"


def card_name(card: dict[str, Any]) -> str:
    if card["IsIndividual"]:
        return " ".join(part for part in (card.get("FirstName"), card["LastName"]) if part)
    return str(card["CompanyName"])


class _BusinessChoices(HTMLParser):
    """The company files MYOB's consent page offers: radio value to the label's text."""

    def __init__(self) -> None:
        super().__init__()
        self.offered: dict[str, str] = {}
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "business_id":
            self._value = attributes.get("value")
            self.offered[str(self._value)] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._value = None

    def handle_data(self, data: str) -> None:
        if self._value is not None:
            self.offered[self._value] += data.strip()


def choose_business(authorize_url: str, name: str) -> str:
    """On MYOB's consent page, pick the company file named `name` and allow; returns
    where MYOB sends the browser."""
    page = requests.get(authorize_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    choices = _BusinessChoices()
    choices.feed(page.text)
    [business_id] = [value for value, label in choices.offered.items() if label == name]
    answer = requests.post(
        authorize_url,
        data={"decision": "allow", "business_id": business_id},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


@dataclass(frozen=True)
class MyobCompanyFile:
    """One company file in the MYOB emulator, read through its controls."""

    url: str
    id: str
    name: str

    def records(self, resource: str) -> list[dict[str, Any]]:
        answer = requests.get(
            f"{self.url}/_emulator/company-files/{self.id}/records/{resource}", timeout=TIMEOUT
        )
        answer.raise_for_status()
        return list(answer.json())

    def sales(self) -> list[dict[str, Any]]:
        return [sale for layout in SALE_LAYOUTS for sale in self.records(layout)]

    def copies(self) -> dict[str, Counter[str]]:
        """How many records each card name, item number and invoice number has."""
        return {
            "Customer": Counter(card_name(c) for c in self.records("Contact/Customer")),
            "Item": Counter(i["Number"] for i in self.records("Inventory/Item")),
            "Invoice": Counter(s["Number"] for s in self.sales()),
        }

    def counts(self) -> dict[str, int]:
        return {
            "Customer": len(self.records("Contact/Customer")),
            "Item": len(self.records("Inventory/Item")),
            "Invoice": len(self.sales()),
            "Payment": len(self.records("Sale/CustomerPayment")),
        }

    def payments(self) -> list[tuple[str, Decimal]]:
        """Each amount applied to an invoice in MYOB: (invoice number, amount)."""
        numbers = {s["UID"]: s["Number"] for s in self.sales()}
        return sorted(
            (numbers[applied["UID"]], money(applied["AmountApplied"]))
            for payment in self.records("Sale/CustomerPayment")
            for applied in payment["Invoices"]
        )


@dataclass(frozen=True)
class MyobBusiness:
    """The MYOB emulator on the stack: its company files, faults and counters."""

    url: str
    redirect_uri: str

    @classmethod
    def of(cls, stack: LocalStack) -> MyobBusiness:
        return cls(stack.app_url("myob"), f"{stack.api_url}/v1/oauth/myob/callback")

    def add_file(self, name: str) -> MyobCompanyFile:
        """A new AU company file with the demo chart, tax codes, cards and items."""
        added = requests.post(
            f"{self.url}/_emulator/company-files", json={"name": name}, timeout=TIMEOUT
        )
        assert added.status_code == 201, added.text
        return MyobCompanyFile(self.url, added.json()["Id"], name)

    def lapse_consent(self, company_file: MyobCompanyFile) -> None:
        """The file's consent lapses (not renewed, or withdrawn by the file's admin)."""
        lapsed = requests.post(
            f"{self.url}/_emulator/company-files/{company_file.id}/lapse-consent", timeout=TIMEOUT
        )
        assert lapsed.status_code == 200, lapsed.text

    def state(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.url}/_emulator/state", timeout=TIMEOUT).json())

    def rate_limit_refusals(self) -> int:
        """How many calls MYOB's per-key limits refused (injected faults not counted)."""
        return int(self.state()["rate_limit_refusals"])

    def grants(self, company_file_id: str) -> list[dict[str, Any]]:
        return [g for g in self.state()["grants"] if company_file_id in g["company_files"]]

    def faults(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_emulator/faults", timeout=TIMEOUT).json())

    def add_fault(self, **fault: Any) -> None:
        added = requests.post(f"{self.url}/_emulator/faults", json=fault, timeout=TIMEOUT)
        assert added.status_code in (200, 201), added.text

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/_emulator/faults", timeout=TIMEOUT)

    def signed_in_user(self, company_file: MyobCompanyFile) -> MyobUser:
        """The company file's own user, working in MYOB beside the integration (through
        the API with a consent of its own: the emulator has no bookkeeping screens)."""
        query = {
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": USER_SCOPES,
            "prompt": "consent",
        }
        back = choose_business(
            f"{self.url}/oauth2/account/authorize?{urlencode(query)}", company_file.name
        )
        [code] = parse_qs(urlsplit(back).query)["code"]
        tokens = requests.post(
            f"{self.url}/oauth2/v1/authorize",
            data={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
            },
            timeout=TIMEOUT,
        )
        assert tokens.status_code == 200, tokens.text
        return MyobUser(company_file, str(tokens.json()["access_token"]))


@dataclass(frozen=True)
class MyobUser:
    company_file: MyobCompanyFile
    access_token: str

    def pay(self, sale: dict[str, Any]) -> None:
        """Record the customer's payment of the sale's balance into the bank account."""
        [bank] = [
            a
            for a in self.company_file.records("GeneralLedger/Account")
            if a["DisplayID"] == BANK_ACCOUNT
        ]
        made = requests.post(
            f"{self.company_file.url}/accountright/{self.company_file.id}/Sale/CustomerPayment",
            json={
                "DepositTo": "Account",
                "Account": {"UID": bank["UID"]},
                "Customer": {"UID": sale["Customer"]["UID"]},
                "Date": "2026-11-30T00:00:00",
                "Invoices": [
                    {
                        "UID": sale["UID"],
                        "Type": "Invoice",
                        "AmountApplied": sale["BalanceDueAmount"],
                    }
                ],
            },
            headers={
                "Authorization": f"Bearer {self.access_token}",
                "x-myobapi-key": CLIENT_ID,
                "x-myobapi-version": "v2",
            },
            timeout=TIMEOUT,
        )
        assert made.status_code == 201, made.text


class MyobTenant(Loc8Tenant):
    """A Loc8 tenant whose admin connects MYOB Business."""

    def connect(self, company_file: MyobCompanyFile) -> str:  # type: ignore[override]
        """Add MYOB, choose `company_file` on MYOB's consent page, follow the callback and
        finish as the admin who added it; returns the integration's id."""
        added = self.api("POST", "/v1/integrations", {"app": "myob"})
        assert added.status_code == 201, added.text
        integration_id = str(added.json()["id"])
        finished = self._allow(integration_id, added.json()["authorize_url"], company_file)
        # The consent named the company file: bound at once, with nothing to choose.
        assert finished["status"] == "AUTHORISED"
        return integration_id

    def reauthorise(self, integration_id: str, company_file: MyobCompanyFile) -> None:
        """The admin reconnects the integration from the page, consenting again."""
        asked = self.api("POST", f"/v1/integrations/{integration_id}/authorize")
        assert asked.status_code == 200, asked.text
        self._allow(integration_id, asked.json()["authorize_url"], company_file)

    def _allow(
        self, integration_id: str, authorize_url: str, company_file: MyobCompanyFile
    ) -> dict[str, Any]:
        """Consent on MYOB's page and finish on Loc8's: the integration as then shown."""
        callback = choose_business(authorize_url, company_file.name)
        assert callback.startswith(f"{self.stack.api_url}/v1/oauth/myob/callback")
        assert parse_qs(urlsplit(callback).query)["businessId"] == [company_file.id]
        returned = requests.get(callback, allow_redirects=False, timeout=TIMEOUT)
        assert returned.status_code == 302, returned.text
        query = {k: v[0] for k, v in parse_qs(urlsplit(returned.headers["Location"]).query).items()}
        assert (query["integration_id"], query["result"]) == (integration_id, "granted")
        finished = self.api(
            "POST", f"/v1/integrations/{integration_id}/consent", {"handle": query["handle"]}
        )
        assert finished.status_code == 200, finished.text
        assert finished.json()["organisation"] == {"id": company_file.id, "name": company_file.name}
        return dict(finished.json())

    def status(self, integration_id: str) -> dict[str, Any]:
        """The integration as the settings page shows it."""
        return dict(self.api("GET", f"/v1/integrations/{integration_id}").json())

    def config_for(self, integration_id: str) -> dict[str, Any]:
        """Every domain, approved invoices, and MYOB's own income account, bank account
        and tax codes as the settings page lists them."""
        accounts = self.api("GET", f"/v1/integrations/{integration_id}/accounts").json()
        income = {a["code"] for a in accounts["accounts"] if a["class"] == "REVENUE"}
        deposit = {a["code"] for a in accounts["accounts"] if a["accepts_payments"]}
        rates = self.api("GET", f"/v1/integrations/{integration_id}/tax-rates").json()
        codes = {r["code"] for r in rates["tax_rates"]}
        assert "4-1000" in income
        assert BANK_ACCOUNT in deposit
        assert {"FRE", "N-T"} <= codes
        return {
            "sync": {
                "tax_rates": True,
                "customers": True,
                "line_items": True,
                "invoices": True,
                "payments": True,
            },
            "invoice_status": "AUTHORISED",
            "default_account_code": "4-1000",
            "line_item_accounts": {},
            "payment_account_code": BANK_ACCOUNT,
            # MYOB has several 0% codes: the admin picks one for each 0% Loc8 type.
            "tax_rate_mappings": {"GST_FREE": "FRE", "BAS_EXCLUDED": "N-T"},
        }
