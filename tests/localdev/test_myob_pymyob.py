"""pymyob, a real MYOB client, works against the emulator: its OAuth flow, lists with
filters and paging, an item created and updated with its RowVersion, an invoice, a
customer payment and a rate-limit refusal.

pymyob reads its hosts from module constants (myob.constants, copied into
myob.credentials and myob.managers at import); the tests point those at the emulator
and change nothing else in the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from localdev.myob import DEMO_COMPANY_FILE_ID, MyobEmulator, MyobLimits
from localdev.serving import RunningServer, serve_in_thread
from tests.support.myob_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    new_emulator,
)

pytest.importorskip("myob")

import myob.credentials
import myob.managers
from myob import Myob
from myob.constants import AuthScope
from myob.credentials import PartnerCredentials
from myob.exceptions import MyobBadRequest, MyobConflict, MyobRateLimitExceeded

SCOPES = (
    AuthScope.COMPANY_FILE,
    AuthScope.CONTACTS_CUSTOMER,
    AuthScope.INVENTORY,
    AuthScope.GENERAL_LEDGER,
    AuthScope.SALES,
)


def _point_pymyob_at(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(myob.credentials, "MYOB_PARTNER_BASE_URL", f"{server.url}/oauth2/")
    monkeypatch.setattr(myob.managers, "MYOB_BASE_URL", f"{server.url}/accountright/")
    # The emulator is served over plain HTTP on loopback; oauthlib insists on HTTPS.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def _signed_in(emulator: MyobEmulator) -> PartnerCredentials:
    """PartnerCredentials through pymyob's own flow: its URL, the user's consent at the
    emulator, then verify() with the code and businessId off the redirect."""
    credentials = PartnerCredentials(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, scopes=SCOPES)
    location = emulator.consent(credentials.url)
    query = parse_qs(urlsplit(location).query)
    credentials.verify(query["code"][0], query["businessId"][0])
    return credentials


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[MyobEmulator]:
    emulator = new_emulator(MyobLimits(per_second=100_000))
    with serve_in_thread(emulator.app) as server:
        _point_pymyob_at(server, monkeypatch)
        yield emulator


@pytest.fixture
def client(emulator: MyobEmulator) -> Myob:
    return Myob(_signed_in(emulator))


def _one(listing: Any) -> dict[str, Any]:
    [record] = listing["Items"]
    return record


def test_pymyob_signs_in_refreshes_and_reads_the_chosen_business(emulator: MyobEmulator) -> None:
    credentials = _signed_in(emulator)
    assert credentials.verified
    assert credentials.business_id == DEMO_COMPANY_FILE_ID
    first_refresh_token = credentials.refresh_token

    credentials.refresh()

    assert credentials.refresh_token != first_refresh_token
    assert Myob(credentials).business()["Name"] == "Loc8 Demo Plumbing"


def test_pymyob_lists_filters_and_pages_customers(emulator: MyobEmulator, client: Myob) -> None:
    emulator.seed_customers(DEMO_COMPANY_FILE_ID, 5)

    first = client.contacts.customer(limit=3, orderby="DisplayID")
    second = client.contacts.customer(limit=3, page=2, orderby="DisplayID")
    filtered = client.contacts.customer(raw_filter="startswith(DisplayID, 'CUS')")
    by_id = client.contacts.customer(DisplayID="CUS000003")

    assert first["Count"] == second["Count"] == 8
    assert first["NextPageLink"] is not None
    assert second["NextPageLink"] is not None  # 6 of 8 seen
    seen = [c["DisplayID"] for c in first["Items"] + second["Items"]]
    assert seen == sorted(seen)
    assert len(set(seen)) == 6
    assert sorted(c["DisplayID"] for c in filtered["Items"]) == [
        "CUS000001",
        "CUS000002",
        "CUS000003",
    ]
    assert _one(by_id)["LastName"] == "Shah"


def test_pymyob_creates_and_updates_an_item_with_its_row_version(client: Myob) -> None:
    tax = _one(client.general_ledger.taxcode(Code="GST"))
    income = _one(client.general_ledger.account(DisplayID="4-2000"))
    created = client.inventory.post_item(
        data={
            "Number": "PART-VALVE",
            "Name": "Isolation valve",
            "IsSold": True,
            "IncomeAccount": {"UID": income["UID"]},
            "SellingDetails": {"BaseSellingPrice": 42.5, "TaxCode": {"UID": tax["UID"]}},
        }
    )
    stale = dict(created)

    updated = client.inventory.put_item(uid=created["UID"], data={**created, "Name": "Ball valve"})

    assert updated["Name"] == "Ball valve"
    assert updated["RowVersion"] != created["RowVersion"]
    with pytest.raises(MyobConflict):
        client.inventory.put_item(uid=created["UID"], data={**stale, "Name": "Gate valve"})
    assert client.inventory.get_item(uid=created["UID"])["Name"] == "Ball valve"


def test_pymyob_records_an_invoice_and_a_customer_payment(client: Myob) -> None:
    customer = _one(client.contacts.customer(DisplayID="CUS000001"))
    item = _one(client.inventory.item(Number="SVC-HOUR"))
    tax = _one(client.general_ledger.taxcode(Code="GST"))
    bank = _one(client.general_ledger.account(DisplayID="1-1110"))

    invoice = client.invoices.post_item(
        data={
            "Number": "L8-1001",
            "Date": "2026-12-01T00:00:00",
            "Customer": {"UID": customer["UID"]},
            "Lines": [
                {
                    "ShipQuantity": 2,
                    "UnitPrice": 120,
                    "Item": {"UID": item["UID"]},
                    "TaxCode": {"UID": tax["UID"]},
                }
            ],
        }
    )
    assert (invoice["Subtotal"], invoice["TotalTax"], invoice["TotalAmount"]) == (240, 24, 264)

    payment = client.customer_payments.post(
        data={
            "DepositTo": "Account",
            "Account": {"UID": bank["UID"]},
            "Customer": {"UID": customer["UID"]},
            "Date": "2026-12-02T00:00:00",
            "Invoices": [{"UID": invoice["UID"], "Type": "Invoice", "AmountApplied": 264}],
        }
    )

    assert payment["AmountReceived"] == 264
    paid = client.invoices.get_item(uid=invoice["UID"])
    assert (paid["BalanceDueAmount"], paid["Status"]) == (0, "Closed")
    with pytest.raises(MyobBadRequest) as refused:
        client.customer_payments.post(data={**payment, "UID": None, "RowVersion": None})
    assert refused.value.errors[0]["Name"] == "AmountAppliedExceedsBalanceDue"


def test_pymyob_sees_the_per_second_limit_as_a_rate_limit_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator = new_emulator()  # MYOB's own limits: 8 calls a second per API key
    with serve_in_thread(emulator.app) as server:
        _point_pymyob_at(server, monkeypatch)
        client = Myob(_signed_in(emulator))
        for _ in range(8):
            client.general_ledger.taxcode()

        with pytest.raises(MyobRateLimitExceeded) as refused:
            client.general_ledger.taxcode()

        assert refused.value.response.status_code == 403
        assert refused.value.problem == (
            "RateLimitError: API key has exceeded the per-second rate limit Header: x-myobapi-key"
        )
        emulator.clock.advance(1)
        assert client.general_ledger.taxcode()["Count"] == 6
