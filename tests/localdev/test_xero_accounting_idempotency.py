"""Idempotency-Key: replay within 6 minutes, refusal of reuse, and the lost-reply retry."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from localdev.serving import RunningServer
from localdev.xero import DEMO_TENANT_ID, XeroEmulator
from tests.support.xero_api import ACCOUNTING_SCOPES, AccountingClient, sale
from tests.support.xero_flow import CLIENT_ID, XeroFlow


def _put(api: AccountingClient, body: dict, key: str | None, **params: str) -> requests.Response:
    return api.request(
        "PUT", "/Invoices", json=body, params=params, headers={"Idempotency-Key": key}
    )


def _invoice_body(api: AccountingClient, reference: str = "Job 9") -> dict:
    contact_id = api.one("Contacts", "CUST-004")["ContactID"]
    return {"Invoices": [sale(contact_id, Reference=reference)]}


def _count(emulator: XeroEmulator) -> int:
    return len(emulator.books(DEMO_TENANT_ID).invoices)


def test_repeat_replays_the_first_answer(api: AccountingClient, emulator: XeroEmulator) -> None:
    body = _invoice_body(api)
    first = _put(api, body, "job-9-create")
    before = _count(emulator)
    emulator.clock.advance(5 * 60 + 59)
    again = _put(api, body, "job-9-create")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert _count(emulator) == before
    # Replays are requests like any other: they count against the rate limits.
    assert int(again.headers["X-DayLimit-Remaining"]) < int(first.headers["X-DayLimit-Remaining"])


def test_key_is_forgotten_after_six_minutes(api: AccountingClient, emulator: XeroEmulator) -> None:
    body = _invoice_body(api)
    first = _put(api, body, "six-minutes")
    emulator.clock.advance(6 * 60)
    later = _put(api, body, "six-minutes")
    assert later.status_code == 200
    assert later.json()["Invoices"][0]["InvoiceID"] != first.json()["Invoices"][0]["InvoiceID"]


def test_same_key_different_request_is_refused(api: AccountingClient) -> None:
    _put(api, _invoice_body(api, "Job 1"), "reused-key")
    other = _put(api, _invoice_body(api, "Job 2"), "reused-key")
    assert other.status_code == 400
    body = other.json()
    assert body["Type"] == "ValidationException"
    assert "already been used for a different request" in body["Message"]
    # Key order and whitespace do not make a request different.
    reordered = {
        "Invoices": [dict(reversed(list(_invoice_body(api, "Job 1")["Invoices"][0].items())))]
    }
    assert _put(api, reordered, "reused-key").status_code == 200


def test_error_answers_are_replayed_too(api: AccountingClient, emulator: XeroEmulator) -> None:
    bad = {"Invoices": [{"Type": "ACCREC"}]}
    first = _put(api, bad, "bad-once")
    assert first.status_code == 400
    again = _put(api, bad, "bad-once")
    assert (again.status_code, again.content) == (400, first.content)


def test_keys_longer_than_128_characters_are_refused(api: AccountingClient) -> None:
    body = _invoice_body(api)
    assert _put(api, body, "k" * 128).status_code == 200
    too_long = _put(api, body, "k" * 129)
    assert too_long.status_code == 400
    assert "at most 128 characters" in too_long.json()["Message"]


def test_keys_are_scoped_per_connection(xero: XeroFlow, emulator: XeroEmulator) -> None:
    other = emulator.add_organisation("Branch Office")
    tokens = xero.login(scope=ACCOUNTING_SCOPES, tenant_ids=[DEMO_TENANT_ID, other.tenant_id])
    demo, branch = AccountingClient(xero, tokens), AccountingClient(xero, tokens, other.tenant_id)
    [branch_contact] = branch.create("Contacts", {"Name": "Branch Customer"})
    demo_body = _invoice_body(demo)
    branch_body = {"Invoices": [sale(branch_contact["ContactID"])]}
    assert _put(demo, demo_body, "shared-key").status_code == 200
    # Same key, different tenant: a different connection, so no clash and no replay.
    assert _put(branch, branch_body, "shared-key").json()["Invoices"][0]["Contact"]["Name"] == (
        "Branch Customer"
    )


def test_retry_after_a_lost_reply_does_not_duplicate(
    api: AccountingClient, emulator: XeroEmulator
) -> None:
    """The scenario the header exists for: Xero did the work, the reply never arrived."""
    emulator.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")
    body = _invoice_body(api, "Lost reply")
    before = _count(emulator)
    lost = _put(api, body, "lost-reply-1")
    assert lost.status_code == 504
    assert _count(emulator) == before + 1  # committed
    retry = _put(api, body, "lost-reply-1")
    assert retry.status_code == 200
    assert retry.json()["Invoices"][0]["Reference"] == "Lost reply"
    assert _count(emulator) == before + 1  # no duplicate
    # Without a key the retry makes a second invoice - what the key protects against.
    emulator.faults.add("PUT", "/api.xro/2.0/Invoices", mode="commit_then_drop")
    _put(api, body, None)
    _put(api, body, None)
    assert _count(emulator) == before + 3


def test_concurrent_repeat_waits_for_the_first(
    api: AccountingClient, emulator: XeroEmulator, server: RunningServer
) -> None:
    """Holding the organisation's lock parks the first request inside its handler (its
    key already taken); the repeat must wait for it and replay its answer rather than
    create a second invoice."""
    body = _invoice_body(api)
    before = _count(emulator)
    headers = api.headers(**{"Idempotency-Key": "in-flight"})
    url = f"{server.url}/api.xro/2.0/Invoices"
    books = emulator.books(DEMO_TENANT_ID)
    with ThreadPoolExecutor(max_workers=2) as pool:
        with books.lock:
            first = pool.submit(requests.put, url, json=body, headers=headers, timeout=10)
            second = pool.submit(requests.put, url, json=body, headers=headers, timeout=10)
            assert emulator.limits.wait_for_in_flight(DEMO_TENANT_ID, CLIENT_ID, 2)
        assert first.result().status_code == 200
        assert second.result().content == first.result().content
    assert _count(emulator) == before + 1
