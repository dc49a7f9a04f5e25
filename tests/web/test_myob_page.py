"""MYOB Business on Settings > Integrations in headless Chromium, against the real API and
the MYOB emulator on the local stack: added, authorised (choosing the company file on
MYOB's consent page), configured and shown as Xero and QuickBooks Online are, with MYOB's
own accounts, tax codes and invoice statuses.

Screenshots under artifacts/web/<test>/ (`pytest tests/web -s` prints the path).
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from localdev.dev_tokens import mint_token
from localdev.myob import DEMO_COMPANY_FILE_NAME
from localdev.stack import LocalStack
from tests.support.browser import HTTP_TIMEOUT, Screenshots
from tests.support.quickbooks_stack import Loc8Tenant

pytestmark = pytest.mark.e2e
APP = "MYOB Business"
SYNC_WAIT_MS = 45_000
# Another company file of the same MYOB user, offered beside the demo on the consent page.
OTHER_FILE = "Harbour City Facility Services"


def myob_card(page: Page) -> Locator:
    return page.locator("article.card", has=page.get_by_role("heading", name=APP, exact=True))


def add_company_file(stack: LocalStack, name: str) -> None:
    added = requests.post(
        f"{stack.app_url('myob')}/_emulator/company-files",
        json={"name": name},
        timeout=HTTP_TIMEOUT,
    )
    assert added.status_code == 201, added.text


def offered_invoice_statuses(tenant: Loc8Tenant) -> list[str]:
    apps = tenant.api("GET", "/v1/apps").json()["apps"]
    [myob] = [app for app in apps if app["key"] == "myob"]
    assert myob["name"] == APP
    assert myob["available"]
    return list(myob["invoice_statuses"])


def test_add_authorise_configure_and_sync_myob_in_the_browser(
    page: Page, stack: LocalStack, shots: Screenshots
):
    # A Loc8 tenant of its own: the Xero page tests connect the stack's demo tenant.
    tenant = Loc8Tenant.seeded(stack, "myob-page")
    add_company_file(stack, OTHER_FILE)
    statuses = offered_invoice_statuses(tenant)
    token = mint_token(tenant.tenant_id, ["admin"], user_id="myob-page-admin")
    try:
        connect_configure_and_sync(page, stack, token, statuses, shots)
    finally:
        listed = tenant.api("GET", "/v1/integrations").json()["integrations"]
        for integration in listed:
            tenant.disconnect(integration["id"])


def connect_configure_and_sync(
    page: Page, stack: LocalStack, token: str, offered_statuses: list[str], shots: Screenshots
):
    page.goto(f"{stack.web_client_url}?token={token}")
    expect(page.get_by_text("No accounting app is connected yet.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Add {APP}")).to_be_visible()
    shots.take(page, "catalogue")

    # MYOB's consent page: one company file per consent (granular scopes), chosen there.
    page.get_by_role("button", name=f"Add {APP}").click()
    expect(page).to_have_url(
        re.compile(re.escape(f"{stack.app_url('myob')}/oauth2/account/authorize"))
    )
    expect(
        page.get_by_role("heading", name=re.compile("wants access to your MYOB business"))
    ).to_be_visible()
    files = page.get_by_role("group", name="Choose a business")
    expect(files.get_by_role("radio")).to_have_count(2)
    files.get_by_role("radio", name=DEMO_COMPANY_FILE_NAME, exact=True).check()
    shots.take(page, "myob-consent")
    page.get_by_role("button", name="Allow access").click()

    # Back on the page, connected to the file chosen: no organisation to choose.
    expect(page).to_have_url(stack.web_client_url)
    expect(page.get_by_role("status")).to_contain_text(
        f"{APP} is connected to {DEMO_COMPANY_FILE_NAME}."
    )
    card = myob_card(page)
    expect(card.locator(".status-line")).to_contain_text("Connected, not syncing yet")
    expect(card.locator(".status-line")).to_contain_text(DEMO_COMPANY_FILE_NAME)
    expect(card).not_to_contain_text(OTHER_FILE)
    chooser = card.get_by_role("group", name=re.compile("organisation should Loc8 use"))
    expect(chooser).to_have_count(0)
    save = card.get_by_role("button", name="Save and start syncing")
    expect(save).to_be_visible()
    shots.take(page, "connected")

    # MYOB's own chart, by its DisplayIDs: the income accounts (not the Income header)
    # for lines, its bank accounts for payments, the first suggested.
    default_account = card.get_by_label("Default revenue account")
    assert default_account.locator("option").all_inner_texts() == [
        "No default account",
        "4-1000 · Plumbing Services",
        "4-2000 · Parts Sales",
        "4-3000 · Call-out Fees",
    ]
    payment_account = card.get_by_label("Payment account")
    assert payment_account.locator("option").all_inner_texts() == [
        "No payment account",
        "1-1110 · Business Bank Account",
        "1-1120 · Cheque Account",
        "1-1180 · Undeposited Funds",
    ]
    expect(payment_account).to_have_value("1-1110")

    # Only the statuses the catalogue offers for MYOB, the first chosen.
    status_group = card.get_by_role("group", name=f"Status of invoices sent to {APP}")
    expect(status_group.get_by_role("radio")).to_have_count(len(offered_statuses))
    expect(status_group.locator("input[type=radio]:checked")).to_have_value(offered_statuses[0])
    for status in offered_statuses:
        expect(status_group.locator(f"input[type=radio][value='{status}']")).to_have_count(1)
    # For MYOB that is Approved alone: its sales have no draft state.
    approved = status_group.get_by_role("radio", name="Approved")
    expect(approved).to_have_accessible_description(re.compile(f"{APP} has no draft invoices"))
    status_group.evaluate("e => e.scrollIntoView({block: 'start'})")
    shots.take(page, "accounts-and-status", full_page=False)

    # MYOB's tax codes by code, each with its rate; GST on Income matched to GST.
    taxes = card.get_by_role("group", name=f"{APP} tax rate for each Loc8 tax type")
    gst = taxes.get_by_label("GST on Income GST · 10.00%", exact=True)
    assert gst.locator("option").all_inner_texts() == [
        f"No {APP} rate: leave as it is in Loc8",
        "Capital Acquisitions (CAP, 10%)",
        "Export Sales (EXP, 0%)",
        "GST Free (FRE, 0%)",
        "Goods & Services Tax (GST, 10%)",
        "Input Taxed (INP, 0%)",
        "Not Reportable (N-T, 0%)",
    ]
    expect(gst).to_have_value("GST")
    # Four MYOB codes are 0%: the admin picks one for each 0% Loc8 type.
    gst_free = taxes.get_by_label("GST Free Income GST_FREE · 0.00%", exact=True)
    expect(gst_free).to_have_value("")
    gst_free.select_option("FRE")
    taxes.get_by_label("BAS Excluded BAS_EXCLUDED · 0.00%", exact=True).select_option("N-T")
    taxes.evaluate("e => e.scrollIntoView({block: 'start'})")
    shots.take(page, "tax-codes", full_page=False)

    # Everything syncs (the first config's choice), lines on Plumbing Services by default.
    default_account.select_option("4-1000")
    save.click()
    expect(page.get_by_role("status")).to_contain_text(f"{APP} sync is active")
    expect(card.locator(".status-line")).to_contain_text("Active")
    expect(card.locator(".error-summary")).to_be_hidden()
    first = card.locator("table.runs tbody tr", has_text="First sync")
    expect(first).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)
    # Loc8's customers went to MYOB; the summary says so in the app's name.
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
