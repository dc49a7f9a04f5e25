"""QuickBooks Online on Settings > Integrations in headless Chromium, against the real API
and the QuickBooks Online emulator on the local stack: added, authorised, configured and
shown as Xero is, with QuickBooks' own accounts, tax codes and invoice statuses.

Screenshots under artifacts/web/<test>/ (`pytest tests/web -s` prints the path).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from localdev.dev_tokens import mint_token
from localdev.stack import LocalStack
from tests.support.browser import Screenshots
from tests.support.quickbooks_stack import DEMO_COMPANY, Loc8Tenant, QuickBooksEmulator

pytestmark = pytest.mark.e2e
APP = "QuickBooks Online"
SYNC_WAIT_MS = 45_000
# A company the same QuickBooks user also has, offered beside the demo on the consent page.
OTHER_COMPANY = "Harbour City Facility Services"


def quickbooks_card(page: Page) -> Locator:
    return page.locator("article.card", has=page.get_by_role("heading", name=APP, exact=True))


def test_add_authorise_configure_and_sync_quickbooks_in_the_browser(
    page: Page, stack: LocalStack, shots: Screenshots
):
    # A Loc8 tenant of its own: the Xero page tests connect the stack's demo tenant.
    tenant = Loc8Tenant.seeded(stack, "quickbooks-page")
    quickbooks = QuickBooksEmulator.of(stack)
    quickbooks.add_company(OTHER_COMPANY)
    token = mint_token(tenant.tenant_id, ["admin"], user_id="quickbooks-page-admin")
    try:
        connect_configure_and_sync(page, stack, token, shots)
    finally:
        listed = tenant.api("GET", "/v1/integrations").json()["integrations"]
        for integration in listed:
            tenant.disconnect(integration["id"])


def connect_configure_and_sync(page: Page, stack: LocalStack, token: str, shots: Screenshots):
    page.goto(f"{stack.web_client_url}?token={token}")
    expect(page.get_by_text("No accounting app is connected yet.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Add {APP}")).to_be_visible()
    shots.take(page, "catalogue")

    # QuickBooks' consent page: one company per connection, chosen there.
    page.get_by_role("button", name=f"Add {APP}").click()
    expect(page).to_have_url(re.compile(re.escape(f"{stack.app_url('quickbooks')}/connect/oauth2")))
    expect(
        page.get_by_role("heading", name=re.compile("wants to connect to your QuickBooks data"))
    ).to_be_visible()
    companies = page.get_by_role("group", name=re.compile("Company to connect"))
    expect(companies.get_by_role("radio")).to_have_count(2)
    companies.get_by_role("radio", name=re.compile(f"^{re.escape(DEMO_COMPANY)}")).check()
    shots.take(page, "quickbooks-consent")
    page.get_by_role("button", name="Connect").click()

    # Back on the page, connected to the company chosen: no organisation to choose.
    expect(page).to_have_url(stack.web_client_url)
    expect(page.get_by_role("status")).to_contain_text(f"{APP} is connected to {DEMO_COMPANY}.")
    card = quickbooks_card(page)
    expect(card.locator(".status-line")).to_contain_text("Connected, not syncing yet")
    expect(card.locator(".status-line")).to_contain_text(DEMO_COMPANY)
    expect(card).not_to_contain_text(OTHER_COMPANY)
    chooser = card.get_by_role("group", name=re.compile("organisation should Loc8 use"))
    expect(chooser).to_have_count(0)
    save = card.get_by_role("button", name="Save and start syncing")
    expect(save).to_be_visible()
    shots.take(page, "connected")

    # QuickBooks' own chart: its active income accounts for lines (not the inactive
    # one), its bank and deposit accounts for payments.
    default_account = card.get_by_label("Default revenue account")
    assert default_account.locator("option").all_inner_texts() == [
        "No default account",
        "1 · Sales",
        "2 · Services",
        "3 · Call-out Fees",
        "5 · Interest Earned",
    ]
    payment_account = card.get_by_label("Payment account")
    assert payment_account.locator("option").all_inner_texts() == [
        "No payment account",
        "6 · Business Cheque Account",
        "7 · Business Savings Account",
        "8 · Undeposited Funds",
    ]
    expect(payment_account).to_have_value("6")

    # QuickBooks has no draft invoices: Approved is the only status, and chosen.
    statuses = card.get_by_role("group", name=f"Status of invoices sent to {APP}")
    expect(statuses.get_by_role("radio")).to_have_count(1)
    approved = statuses.get_by_role("radio", name="Approved")
    expect(approved).to_be_checked()
    expect(approved).to_have_accessible_description(re.compile(f"{APP} has no draft invoices"))
    statuses.evaluate("e => e.scrollIntoView({block: 'start'})")
    shots.take(page, "accounts-and-status", full_page=False)

    # QuickBooks' tax codes: GST on Income matched to its GST code; the two 0% Loc8
    # types are left for the admin, since QuickBooks has several 0% codes.
    taxes = card.get_by_role("group", name=f"{APP} tax rate for each Loc8 tax type")
    gst = taxes.get_by_label("GST on Income GST · 10.00%", exact=True)
    expect(gst).to_have_value("1")
    gst_free = taxes.get_by_label("GST Free Income GST_FREE · 0.00%", exact=True)
    expect(gst_free).to_have_value("")
    assert gst.locator("option").all_inner_texts() == [
        f"No {APP} rate: leave as it is in Loc8",
        "GST (1, 10%)",
        "GST free (2, 0%)",
        "Export (3, 0%)",
        "Input taxed (4, 0%)",
        "Out of scope (5, 0%)",
    ]
    gst_free.select_option(label="GST free (2, 0%)")
    taxes.get_by_label("BAS Excluded BAS_EXCLUDED · 0.00%", exact=True).select_option(
        label="Out of scope (5, 0%)"
    )
    taxes.evaluate("e => e.scrollIntoView({block: 'start'})")
    shots.take(page, "tax-codes", full_page=False)

    # Everything syncs (the first config's choice), lines on Sales by default.
    default_account.select_option(label="1 · Sales")
    save.click()
    expect(page.get_by_role("status")).to_contain_text(f"{APP} sync is active")
    expect(card.locator(".status-line")).to_contain_text("Active")
    expect(card.locator(".error-summary")).to_be_hidden()
    first = card.locator("table.runs tbody tr", has_text="First sync")
    expect(first).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)
    # Loc8's customers went to QuickBooks; the summary says so in the app's name.
    changes = first.locator("td[data-label='Changes']")
    expect(changes).to_contain_text(re.compile(rf"\d+ customers sent to {APP}"))
    expect(card.locator(".last-sync")).to_contain_text("Succeeded")
    expect(card.locator(".last-sync")).to_contain_text(f"sent to {APP}")
    shots.take(page, "active")

    first.get_by_role("button", name=re.compile("^Details")).click()
    dialog = page.get_by_role("dialog", name="First sync: Succeeded")
    expect(dialog.get_by_role("rowheader", name=f"Customers to {APP}")).to_be_visible()
    expect(dialog.get_by_role("rowheader", name=f"Invoices to {APP}")).to_be_visible()
    shots.take(page, "run-details", full_page=False)
