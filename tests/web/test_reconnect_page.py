"""Reconnecting the same Xero organisation in headless Chromium: the config form comes
back filled in from the last connection, says so, and marks the suggested accounts.

Screenshots under artifacts/web/<test>/ (`pytest tests/web -s` prints the path).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from localdev.stack import LocalStack
from tests.support.browser import HTTP_TIMEOUT, Screenshots

pytestmark = pytest.mark.e2e


def connect_over_http(stack: LocalStack, api: requests.Session) -> str:
    """Add Xero, press Allow and finish as the admin, without a browser: AUTHORISED."""
    added = api.post(f"{stack.api_url}/v1/integrations", json={"app": "xero"}, timeout=HTTP_TIMEOUT)
    assert added.status_code == 201, added.text
    allowed = requests.post(
        added.json()["authorize_url"],
        data={"decision": "allow"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    callback = requests.get(
        allowed.headers["Location"], allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    returned = parse_qs(urlsplit(callback.headers["Location"]).query)
    finished = api.post(
        f"{stack.api_url}/v1/integrations/{added.json()['id']}/consent",
        json={"handle": returned["handle"][0]},
        timeout=HTTP_TIMEOUT,
    )
    assert finished.json()["status"] == "AUTHORISED", finished.text
    return added.json()["id"]


def test_a_reconnect_shows_the_last_config_and_the_suggested_accounts(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    first = connect_over_http(stack, api)
    line_items = api.get(
        f"{stack.api_url}/v1/integrations/{first}/line-items", timeout=HTTP_TIMEOUT
    ).json()["line_items"]
    labour = next(item for item in line_items if item["code"] == "LAB-STD")
    saved = api.put(
        f"{stack.api_url}/v1/integrations/{first}/config",
        json={
            "sync": {"invoices": False, "line_items": False, "tax_rates": True, "customers": False},
            "invoice_status": "AUTHORISED",
            "default_account_code": "200",
            "line_item_accounts": {labour["id"]: "260"},
        },
        timeout=HTTP_TIMEOUT,
    )
    assert saved.status_code == 200, saved.text
    assert api.delete(f"{stack.api_url}/v1/integrations/{first}", timeout=HTTP_TIMEOUT).ok
    connect_over_http(stack, api)

    page.goto(stack.web_client_url)
    card = page.locator("article.card", has=page.get_by_role("heading", name="Xero", exact=True))
    expect(card.get_by_text("Connected, not syncing yet")).to_be_visible()
    expect(card.locator(".remembered")).to_contain_text(
        "These settings are the ones you last saved for Demo Company (AU)."
    )
    expect(card.get_by_label("Default revenue account")).to_have_value("200")
    expect(card.get_by_role("radio", name="Approved")).to_be_checked()
    labour_select = card.get_by_label("Labour - standard rate LAB-STD", exact=True)
    expect(labour_select).to_have_value("260")  # mapped last time: no suggestion beside it
    expect(labour_select).not_to_have_accessible_description(re.compile("Suggested"))
    # Xero already has a CALLOUT item on Sales: the list starts there, marked as suggested.
    callout = card.get_by_label("Call-out fee CALLOUT", exact=True)
    expect(callout).to_have_value("200")
    expect(callout).to_have_accessible_description(
        "Suggested: 200, the account Xero's item uses now."
    )
    # Loc8 codes the backflow fee to 260, which Xero has active.
    expect(card.get_by_label("Backflow test lodgement fee FEE-BACKFLOW", exact=True)).to_have_value(
        "260"
    )
    callout.evaluate("e => e.scrollIntoView({block: 'center'})")
    shots.take(page, "remembered-config")

    card.get_by_role("button", name="Save and start syncing").click()
    expect(page.get_by_role("status")).to_contain_text("Xero sync is active")
    expect(card.locator(".remembered")).to_have_count(0)
    shots.take(page, "saved")
