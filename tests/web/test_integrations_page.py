"""Settings > Integrations in headless Chromium, against the real API on the local stack.

Each step leaves a screenshot under artifacts/web/<test>/ (the path is printed when
pytest runs without capture, e.g. `pytest tests/web -s`).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect

from localdev.dev_tokens import mint_token
from localdev.stack import REGION, LocalStack
from localdev.xero.stack_entry import CLIENT_ID as XERO_CLIENT_ID
from localdev.xero.stack_entry import CLIENT_SECRET as XERO_CLIENT_SECRET
from tests.support.browser import HTTP_TIMEOUT, Screenshots

pytestmark = pytest.mark.e2e
SYNC_WAIT_MS = 45_000
PHONE = {"width": 375, "height": 812}
# Syncing tax rates only keeps these tests about the page, not about each domain's syncer.
GOOD_CONFIG = {
    "sync": {"invoices": False, "line_items": False, "tax_rates": True, "customers": False},
    "invoice_status": "DRAFT",
    "default_account_code": "200",
    "line_item_accounts": {},
}


# --- helpers ---------------------------------------------------------------------------


def xero_card(page: Page):
    return page.locator("article.card", has=page.get_by_role("heading", name="Xero", exact=True))


def connect_over_http(stack: LocalStack, api: requests.Session) -> str:
    """Add Xero and press Allow without a browser; the integration is AUTHORISED."""
    added = api.post(f"{stack.api_url}/v1/integrations", json={"app": "xero"}, timeout=HTTP_TIMEOUT)
    assert added.status_code == 201, added.text
    authorize_url = added.json()["authorize_url"]
    allowed = requests.post(
        authorize_url, data={"decision": "allow"}, allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    callback = requests.get(
        allowed.headers["Location"], allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    returned = parse_qs(urlsplit(callback.headers["Location"]).query)
    assert returned["result"] == ["granted"], callback.headers["Location"]
    # What the page does on return, as the same user who added Xero.
    finished = api.post(
        f"{stack.api_url}/v1/integrations/{added.json()['id']}/consent",
        json={"handle": returned["handle"][0]},
        timeout=HTTP_TIMEOUT,
    )
    assert finished.json()["status"] == "AUTHORISED", finished.text
    return added.json()["id"]


def activate_over_http(stack: LocalStack, api: requests.Session) -> str:
    integration_id = connect_over_http(stack, api)
    saved = api.put(
        f"{stack.api_url}/v1/integrations/{integration_id}/config",
        json=GOOD_CONFIG,
        timeout=HTTP_TIMEOUT,
    )
    assert saved.status_code == 200, saved.text
    return integration_id


def allow_on_consent_page(page: Page, stack: LocalStack) -> None:
    expect(page).to_have_url(re.compile(re.escape(stack.app_url("xero"))))
    expect(
        page.get_by_role("heading", name=re.compile("wants to access your Xero data"))
    ).to_be_visible()


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# --- the whole flow --------------------------------------------------------------------


def test_connect_configure_sync_and_disconnect_in_the_browser(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    page.goto(stack.web_client_url)
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    expect(page.get_by_text("No accounting app is connected yet.")).to_be_visible()
    shots.take(page, "empty")

    page.get_by_role("button", name="Add Xero").click()
    allow_on_consent_page(page, stack)
    shots.take(page, "xero-consent")
    page.get_by_role("button", name="Allow access").click()

    # Back on the page through /integrations/return, connected.
    expect(page).to_have_url(stack.web_client_url)
    expect(page.get_by_role("status")).to_contain_text("Xero is connected to Demo Company (AU).")
    card = xero_card(page)
    expect(card.get_by_text("Connected, not syncing yet")).to_be_visible()
    expect(card.get_by_text("Demo Company (AU)")).to_be_visible()
    save = card.get_by_role("button", name="Save and start syncing")
    expect(save).to_be_visible()
    shots.take(page, "connected")

    # The account dropdowns offer the active revenue accounts only.
    default_account = card.get_by_label("Default revenue account")
    offered = default_account.locator("option").all_inner_texts()
    assert offered == [
        "No default account",
        "200 · Sales",
        "260 · Other Revenue",
        "270 · Interest Income",
    ]

    # Payments taken in Loc8 are on, under Invoices, into a bank account (Xero's BANK
    # accounts and those that accept payments are offered); the Draft choice says a
    # paid invoice still arrives approved.
    payments = card.get_by_role("checkbox", name="Payments")
    expect(payments).to_be_checked()
    expect(payments).to_have_accessible_description(re.compile("payments taken in Loc8"))
    payment_account = card.get_by_label("Payment account")
    assert payment_account.locator("option").all_inner_texts() == [
        "No payment account",
        "090 · Business Bank Account",
        "091 · Business Savings Account",
        "615 · Payments Clearing",
    ]
    expect(payment_account).to_have_value("090")
    expect(card.get_by_role("radio", name="Draft")).to_have_accessible_description(
        re.compile("a draft cannot take a payment")
    )
    # From the Invoices switch, with Payments under it, down to the payment account.
    card.get_by_role("checkbox", name="Invoices").evaluate("e => e.scrollIntoView()")
    shots.take(page, "payment-account", full_page=False)

    # A wrong config first: nothing to sync, no default with items unmapped, and one
    # item on an account archived in Xero (as if archived after the page loaded). Six
    # items start on the account they already have (Loc8's own, or Xero's item's).
    for domain in ("Invoices", "Payments", "Line items", "Tax rates", "Customers"):
        card.get_by_role("checkbox", name=domain).uncheck()
    labour = card.get_by_label("Labour - standard rate LAB-STD", exact=True)
    labour.evaluate("select => select.add(new Option('210 · Consulting Fees (old)', '210'))")
    labour.select_option("210")
    save.click()

    summary = card.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The config cannot be saved.")
    sync_group = card.get_by_role("group", name="Data to sync")
    expect(sync_group.locator(":scope > .field-error")).to_have_text(
        "Error: Choose at least one kind of data to sync."
    )
    expect(default_account).to_have_attribute("aria-invalid", "true")
    expect(default_account).to_have_accessible_description(
        re.compile(r"9 line item\(s\) have no account; map them or set a default account\.")
    )
    beside_default = card.locator(".field", has=page.get_by_label("Default revenue account"))
    expect(beside_default.locator(".field-error")).to_have_text(
        "Error: 9 line item(s) have no account; map them or set a default account."
    )
    expect(labour).to_have_accessible_description(re.compile("Account 210 is archived in Xero."))
    beside_labour = card.locator(
        ".mapping", has=page.get_by_label("Labour - standard rate LAB-STD")
    )
    expect(beside_labour.locator(".field-error")).to_have_text(
        "Error: Account 210 is archived in Xero."
    )
    shots.take(page, "validation-errors")

    # Fix it and save: the integration becomes Active and the first sync runs.
    card.get_by_role("checkbox", name="Tax rates").check()
    default_account.select_option("200")
    labour.select_option("260")
    save.click()
    expect(page.get_by_role("status")).to_contain_text("Xero sync is active")
    expect(card.locator(".status-line")).to_contain_text("Active")
    expect(card.locator(".error-summary")).to_be_hidden()
    expect(default_account).not_to_have_attribute("aria-invalid", "true")
    history = card.locator("table.runs tbody")
    expect(history.locator("tr", has_text="First sync")).to_contain_text(
        "Succeeded", timeout=SYNC_WAIT_MS
    )
    expect(card.locator(".last-sync")).to_contain_text("Succeeded")
    shots.take(page, "active")

    # Sync now: the pump runs it; the page polls until it has finished.
    card.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Sync with Xero started.")
    expect(history.locator("tr").first).to_contain_text("Sync now")
    expect(history.locator("tr").first).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)
    expect(history.locator("tr")).to_have_count(2)
    shots.take(page, "synced")

    # The run's details, with its record-level errors (none here).
    details = history.locator("tr").first.get_by_role("button", name=re.compile("^Details"))
    details.click()
    dialog = page.get_by_role("dialog", name="Sync now: Succeeded")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Tax rates")
    expect(dialog).to_contain_text("No record-level errors")
    shots.take(page, "run-details", full_page=False)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()

    # At phone width nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    shots.take(page, "phone-width-top", full_page=False)
    card.get_by_role("heading", name="Sync history").evaluate("e => e.scrollIntoView()")
    shots.take(page, "phone-width-history", full_page=False)
    labour.evaluate("e => e.scrollIntoView({block: 'center'})")
    shots.take(page, "phone-width-form", full_page=False)
    shots.take(page, "phone-width-whole-page")
    page.set_viewport_size({"width": 1100, "height": 900})

    # Pause and resume.
    card.get_by_role("button", name="Pause syncing").click()
    expect(card.locator(".status-line")).to_contain_text("Paused")
    card.get_by_role("button", name="Resume syncing").click()
    expect(card.locator(".status-line")).to_contain_text("Active")

    # Disconnect, after a confirmation.
    card.get_by_role("button", name="Disconnect").click()
    confirm = page.get_by_role("dialog", name="Disconnect Xero?")
    expect(confirm).to_contain_text("Demo Company (AU)")
    shots.take(page, "confirm-disconnect", full_page=False)
    confirm.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status")).to_contain_text("Xero disconnected.")
    expect(page.get_by_text("No accounting app is connected yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Add Xero")).to_be_visible()
    shots.take(page, "disconnected")
    listed = api.get(f"{stack.api_url}/v1/integrations", timeout=HTTP_TIMEOUT).json()
    assert listed == {"integrations": []}


# --- keyboard only -------------------------------------------------------------------

TAB_STOP = """el => {
  if (!el || el === document.body) return "body";
  if (el.type === "radio") return "radio:" + el.name;
  return el.id || (el.tagName.toLowerCase() + ":" + el.textContent.trim());
}"""

EXPECTED_TAB_STOPS = f"""() => {{
  const describe = {TAB_STOP};
  const stops = [];
  const candidates = document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
  for (const el of candidates) {{
    if (el.disabled || el.closest("[hidden], dialog:not([open])")) continue;
    const stop = describe(el);
    if (el.type === "radio" && stops.includes(stop)) continue;
    stops.push(stop);
  }}
  return stops;
}}"""


def fresh_admin_session(stack: LocalStack, tenant_id: str) -> tuple[requests.Session, str]:
    """An admin of a newly seeded Loc8 tenant with no integration history, so the form
    starts as a first connection shows it (no config remembered from an earlier one)."""
    created = requests.post(
        f"{stack.loc8_url}/_emulator/tenants",
        json={"tenant_id": tenant_id, "seed": "demo"},
        timeout=HTTP_TIMEOUT,
    )
    assert created.status_code == 201, created.text
    token = mint_token(tenant_id, ["admin"], user_id=f"{tenant_id}-admin")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session, token


def test_keyboard_alone_reaches_and_operates_every_control(
    page: Page, stack: LocalStack, shots: Screenshots
):
    api, token = fresh_admin_session(stack, "keyboard-only")
    integration_id = connect_over_http(stack, api)
    try:
        operate_the_form_by_keyboard(page, stack, token, shots)
    finally:
        api.delete(f"{stack.api_url}/v1/integrations/{integration_id}", timeout=HTTP_TIMEOUT)


def operate_the_form_by_keyboard(
    page: Page, stack: LocalStack, token: str, shots: Screenshots
) -> None:
    page.goto(f"{stack.web_client_url}?token={token}")
    card = xero_card(page)
    save = card.get_by_role("button", name="Save and start syncing")
    expect(save).to_be_visible()

    expected = page.evaluate(EXPECTED_TAB_STOPS)
    assert len(expected) > 20  # skip link, 4 checkboxes, 1 radio group, 16 selects, buttons
    visited = []
    for _ in range(len(expected)):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(f"({TAB_STOP})(document.activeElement)"))
    assert visited == expected
    assert visited[0] == "a:Skip to content"
    # Whatever has keyboard focus shows it.
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"

    # Operate the form with keys: Space toggles, arrows move between radios, Enter saves.
    invoices = card.get_by_role("checkbox", name="Invoices")
    invoices.focus()
    page.keyboard.press("Space")
    expect(invoices).not_to_be_checked()
    page.keyboard.press("Tab")  # Payments, under Invoices: off too (they need invoices)
    expect(card.get_by_role("checkbox", name="Payments")).to_be_focused()
    page.keyboard.press("Space")
    expect(card.get_by_role("checkbox", name="Payments")).not_to_be_checked()
    card.get_by_role("radio", name="Draft").focus()
    page.keyboard.press("ArrowDown")
    expect(card.get_by_role("radio", name="Approved")).to_be_checked()
    save.focus()
    page.keyboard.press("Enter")
    summary = card.locator(".error-summary")
    expect(summary).to_be_focused()  # no default account and every item unmapped
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card.get_by_label("Default revenue account")).to_be_focused()
    shots.take(page, "keyboard-error-summary", full_page=False)


# --- whose token: ?token= and the API's 401 / 403 --------------------------------------


def test_a_token_in_the_address_bar_is_used_and_refusals_are_explained(
    page: Page, stack: LocalStack, allowed_http_errors: set[int], shots: Screenshots
):
    allowed_http_errors.update({401, 403})
    page.goto(f"{stack.web_client_url}?token=not-a-jwt")
    expect(page).to_have_url(stack.web_client_url)  # taken out of the address bar
    problem = page.locator("#page-error")
    expect(problem).to_contain_text("Loading integrations failed")
    expect(problem).to_contain_text("Reload the page to sign in again.")
    shots.take(page, "invalid-token", full_page=False)

    reader = mint_token("demo", ["viewer"], user_id="demo-viewer")
    page.goto(f"{stack.web_client_url}?token={reader}")
    page.get_by_role("button", name="Add Xero").click()
    expect(problem).to_contain_text("Adding Xero failed")
    expect(problem).to_contain_text("Only a Loc8 admin can change integrations.")
    shots.take(page, "not-an-admin", full_page=False)
    # The token stays for this tab only, so it survives the trip to the app's consent page.
    page.goto(stack.web_client_url)
    page.get_by_role("button", name="Add Xero").click()
    expect(problem).to_contain_text("Only a Loc8 admin can change integrations.")


# --- concurrent edits: ETag / If-Match -----------------------------------------------


def test_a_stale_save_explains_the_412_and_reloads(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    integration_id = activate_over_http(stack, api)
    page.goto(stack.web_client_url)
    card = xero_card(page)
    expect(card.get_by_role("button", name="Save changes")).to_be_visible()

    # Someone else saves meanwhile (config version 1 -> 2).
    other = api.put(
        f"{stack.api_url}/v1/integrations/{integration_id}/config",
        json={**GOOD_CONFIG, "default_account_code": "260"},
        headers={"If-Match": '"1"'},
        timeout=HTTP_TIMEOUT,
    )
    assert other.status_code == 200, other.text

    card.get_by_role("radio", name="Approved").check()
    card.get_by_role("button", name="Save changes").click()
    summary = card.locator(".error-summary")
    expect(summary).to_contain_text("Someone else saved these settings")
    expect(summary).to_contain_text("reload it")  # the API's own detail
    shots.take(page, "stale-save")

    summary.get_by_role("button", name="Reload settings").click()
    default_account = card.get_by_label("Default revenue account")
    expect(default_account).to_have_value("260")
    expect(card.get_by_role("radio", name="Draft")).to_be_checked()
    card.get_by_role("radio", name="Approved").check()
    card.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    saved = api.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/config", timeout=HTTP_TIMEOUT
    )
    assert saved.headers["ETag"] == '"3"'
    assert saved.json()["invoice_status"] == "AUTHORISED"


# --- revoked access: Reconnect --------------------------------------------------------


def revoke_at_xero(stack: LocalStack, integration_id: str) -> None:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=stack.moto_url,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    stored = secrets.get_secret_value(
        SecretId=f"loc8-integrations/local/tokens/demo/{integration_id}"
    )
    refresh_token = json.loads(stored["SecretString"])["refresh_token"]
    revoked = requests.post(
        f"{stack.app_url('xero')}/connect/revocation",
        data={"token": refresh_token},
        auth=(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
        timeout=HTTP_TIMEOUT,
    )
    assert revoked.status_code == 200


def test_revoked_access_shows_reconnect_which_restores_syncing(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    integration_id = activate_over_http(stack, api)
    page.goto(stack.web_client_url)
    card = xero_card(page)
    # Revoke only once the activation's first sync has finished. While it is queued or
    # running, the pump may be the one to meet the revoked access, at any moment: before
    # or after the click on "Sync now" below, which then answers 409 (a run is in
    # progress) or finds the button gone.
    expect(card.locator("table.runs tbody tr", has_text="First sync")).to_contain_text(
        "Succeeded", timeout=SYNC_WAIT_MS
    )
    revoke_at_xero(stack, integration_id)

    card.get_by_role("button", name="Sync now", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Sync with Xero started.")
    reconnect = card.get_by_role("button", name="Reconnect Xero")
    expect(reconnect).to_be_visible(timeout=SYNC_WAIT_MS)
    expect(card.locator(".attention")).to_contain_text("Xero needs reconnecting")
    expect(card.locator(".status-line")).to_contain_text("Needs reconnecting")
    shots.take(page, "needs-reconnect")

    # The failed run's details say why.
    failed = card.locator("table.runs tbody tr", has_text="Failed").first
    failed.get_by_role("button", name=re.compile("^Details")).click()
    dialog = page.get_by_role("dialog", name=re.compile(": Failed$"))
    expect(dialog).to_contain_text("Errors (1)")
    expect(dialog.locator(".run-errors")).to_contain_text("revoked")
    shots.take(page, "failed-run-details", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    reconnect.click()
    allow_on_consent_page(page, stack)
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_role("status")).to_contain_text("Xero is connected to Demo Company (AU).")
    expect(card.locator(".status-line")).to_contain_text("Active")
    expect(reconnect).to_be_hidden()
    card.get_by_role("button", name="Sync now", exact=True).click()
    expect(card.locator("table.runs tbody tr").first).to_contain_text(
        "Succeeded", timeout=SYNC_WAIT_MS
    )
    shots.take(page, "reconnected")


# --- consent started by someone else: refused on return ---------------------------------


def test_a_consent_started_by_someone_else_is_refused_on_return(
    page: Page,
    stack: LocalStack,
    api: requests.Session,
    shots: Screenshots,
    allowed_http_errors: set[int],
):
    """Someone else (the API session's user) adds Xero and sends the consent link to the
    page's user, who allows access: coming back, the page connects nothing."""
    allowed_http_errors.add(403)
    added = api.post(f"{stack.api_url}/v1/integrations", json={"app": "xero"}, timeout=HTTP_TIMEOUT)
    allowed = requests.post(
        added.json()["authorize_url"],
        data={"decision": "allow"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    callback = requests.get(
        allowed.headers["Location"], allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    page.goto(callback.headers["Location"])

    expect(page).to_have_url(stack.web_client_url)
    problem = page.locator("#page-error")
    expect(problem).to_contain_text("Connecting did not finish")
    expect(problem).to_contain_text("Only the Loc8 user who started connecting")
    card = xero_card(page)
    expect(card.locator(".status-line")).to_contain_text("Waiting for access")
    shots.take(page, "someone-elses-consent-refused", full_page=False)
    integration = api.get(
        f"{stack.api_url}/v1/integrations/{added.json()['id']}", timeout=HTTP_TIMEOUT
    ).json()
    assert integration["status"] == "PENDING_AUTHORISATION"


# --- consent refused: retry or remove ------------------------------------------------------


def test_refused_consent_leaves_a_pending_integration_to_retry_or_remove(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    page.goto(stack.web_client_url)
    page.get_by_role("button", name="Add Xero").click()
    allow_on_consent_page(page, stack)
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("status")).to_contain_text("Xero access was not granted")
    card = xero_card(page)
    expect(card.locator(".status-line")).to_contain_text("Waiting for access")
    expect(card.get_by_role("button", name="Continue to Xero")).to_be_visible()
    shots.take(page, "consent-refused", full_page=False)
    card.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog", name="Remove Xero?").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No accounting app is connected yet.")).to_be_visible()


# --- run details: errors beyond those a run lists ------------------------------------

# A run as GET .../sync-runs/{run_id} answers it when it met more record errors than it
# keeps (docs/openapi.yaml, SyncRunWithErrors); hundreds of failing records are not
# needed to see how the dialog shows one.
RUN_WITH_UNLISTED_ERRORS = {
    "id": "run_1",
    "integration_id": "int_1",
    "trigger": "manual",
    "status": "PARTIAL",
    "started_at": "2026-01-05T10:00:00Z",
    "finished_at": "2026-01-05T10:02:00Z",
    "counts": {"customers": {"created": 3, "updated": 0, "unchanged": 0, "failed": 202}},
    "counts_by_direction": {
        "customers": {
            "to_app": {"created": 3, "updated": 0, "unchanged": 0, "failed": 202},
            "to_loc8": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
        }
    },
    "deferred_until": None,
    "errors": [
        {"domain": "customers", "record": "Acme", "message": "Name is already used."},
        {"domain": "customers", "record": "Bolt", "message": "Email is not valid."},
    ],
    "errors_truncated": 200,
}


def test_run_details_count_the_errors_a_run_did_not_list(page: Page, stack: LocalStack):
    page.goto(stack.web_client_url)
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()

    page.evaluate(
        """async (run) => {
          const { runDialog } = await import("./dialogs.js");
          runDialog(run, "Xero", document.body);
        }""",
        RUN_WITH_UNLISTED_ERRORS,
    )

    dialog = page.get_by_role("dialog", name="Sync now: Partly succeeded")
    expect(dialog.get_by_role("rowheader", name="Customers to Xero")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Errors (202)")).to_be_visible()
    expect(dialog.locator(".run-errors li")).to_have_count(2)
    expect(dialog).to_contain_text(
        "200 more errors were counted but not listed: the run keeps the first 2."
    )


# --- which way records went ------------------------------------------------------------


def test_each_run_says_which_way_records_went(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    integration_id = connect_over_http(stack, api)
    both_ways = {**GOOD_CONFIG, "sync": {**GOOD_CONFIG["sync"], "customers": True}}
    saved = api.put(
        f"{stack.api_url}/v1/integrations/{integration_id}/config",
        json=both_ways,
        timeout=HTTP_TIMEOUT,
    )
    assert saved.status_code == 200, saved.text
    page.goto(stack.web_client_url)
    card = xero_card(page)
    first = card.locator("table.runs tbody tr", has_text="First sync")
    expect(first).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)

    [run] = api.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/sync-runs", timeout=HTTP_TIMEOUT
    ).json()["runs"]
    customers = run["counts_by_direction"]["customers"]
    sent, imported = customers["to_app"]["created"], customers["to_loc8"]["created"]
    # Loc8's demo customers went to Xero, Xero's customers (not its suppliers) came back.
    assert sent > 0
    assert imported > 0
    assert sent + imported == run["counts"]["customers"]["created"]
    rates = run["counts_by_direction"]["tax_rates"]["to_loc8"]
    assert rates["created"] + rates["updated"] + rates["unchanged"] > 0
    said = f"{sent} customers sent to Xero, {imported} imported from Xero"
    expect(first.locator("td[data-label='Changes']")).to_contain_text(said)
    expect(first.locator("td[data-label='Changes']")).to_contain_text("tax rate")
    expect(card.locator(".last-sync")).to_contain_text(said)
    first.evaluate("e => e.scrollIntoView({block: 'center'})")
    shots.take(page, "directional-summary", full_page=False)

    first.get_by_role("button", name=re.compile("^Details")).click()
    dialog = page.get_by_role("dialog", name="First sync: Succeeded")
    to_xero = dialog.locator("tr", has=page.get_by_role("rowheader", name="Customers to Xero"))
    from_xero = dialog.locator("tr", has=page.get_by_role("rowheader", name="Customers from Xero"))
    expect(to_xero.locator("td[data-label='created']")).to_have_text(str(sent))
    expect(from_xero.locator("td[data-label='created']")).to_have_text(str(imported))
    expect(dialog.get_by_role("rowheader", name="Tax rates from Xero")).to_be_visible()
    shots.take(page, "directional-run-details", full_page=False)


def test_a_run_recorded_before_directions_is_worded_from_its_totals(page: Page, stack: LocalStack):
    page.goto(stack.web_client_url)
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    nothing = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    older_run = {
        "counts": {
            "customers": {"created": 34, "updated": 0, "unchanged": 9, "failed": 0},
            "payments": nothing,
        }
    }

    said = page.evaluate(
        """async (run) => {
          const { changesText } = await import("./run-summary.js");
          return changesText(run, "Xero");
        }""",
        older_run,
    )

    assert said == "34 customers created, 9 unchanged; no payment changes"


# --- tax rates: each Loc8 tax type and the Xero rate it stands for ---------------------


def test_each_loc8_tax_type_shows_the_xero_rate_it_takes_and_one_can_be_left_alone(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    integration_id = connect_over_http(stack, api)
    page.goto(stack.web_client_url)
    card = xero_card(page)
    taxes = card.get_by_role("group", name="Xero tax rate for each Loc8 tax type")
    gst = taxes.get_by_label("GST on Income GST · 10.00%", exact=True)
    bas = taxes.get_by_label("BAS Excluded BAS_EXCLUDED · 0.00%", exact=True)
    # Pre-selected with the rate the sync would match each to (here: by name).
    expect(gst).to_have_value("OUTPUT")
    expect(taxes.get_by_label("GST Free Income GST_FREE · 0.00%", exact=True)).to_have_value(
        "EXEMPTOUTPUT"
    )
    expect(bas).to_have_value("BASEXCLUDED")
    offered = gst.locator("option").all_inner_texts()
    assert offered[0] == "No Xero rate: leave as it is in Loc8"
    assert "GST on Income (OUTPUT, 10%)" in offered
    assert not [o for o in offered if "Expenses" in o]  # Xero's purchase rates are not offered
    taxes.evaluate("e => e.scrollIntoView({block: 'start'})")
    shots.take(page, "tax-mapping", full_page=False)

    # BAS Excluded is left as it is in Loc8; only tax rates sync.
    bas.select_option("")
    for domain in ("Invoices", "Payments", "Line items", "Customers"):
        card.get_by_role("checkbox", name=domain).uncheck()
    card.get_by_label("Default revenue account").select_option("200")
    card.get_by_role("button", name="Save and start syncing").click()
    expect(page.get_by_role("status")).to_contain_text("Xero sync is active")

    config = api.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/config", timeout=HTTP_TIMEOUT
    ).json()
    assert config["tax_rate_mappings"]["GST"] == "OUTPUT"
    assert config["tax_rate_mappings"]["BAS_EXCLUDED"] is None
    first = card.locator("table.runs tbody tr", has_text="First sync")
    expect(first).to_contain_text("Succeeded", timeout=SYNC_WAIT_MS)
    [listed] = api.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/sync-runs", timeout=HTTP_TIMEOUT
    ).json()["runs"]
    run = api.get(
        f"{stack.api_url}/v1/integrations/{integration_id}/sync-runs/{listed['id']}",
        timeout=HTTP_TIMEOUT,
    ).json()
    noted = {e["record"]: e["message"] for e in run["errors"] if e["domain"] == "tax_rates"}
    assert "BAS Excluded (0.00%) was left as it is" in noted["BAS_EXCLUDED"]
    expect(taxes.get_by_label("BAS Excluded BAS_EXCLUDED · 0.00%", exact=True)).to_have_value("")
    shots.take(page, "tax-mapping-saved", full_page=False)


# --- several organisations: the chooser (last: it adds an organisation to Xero) ---------


def test_several_organisations_granted_ask_which_one(
    page: Page, stack: LocalStack, api: requests.Session, shots: Screenshots
):
    added = requests.post(
        f"{stack.app_url('xero')}/_emulator/organisations",
        json={"name": "Harbour City Facility Services"},
        timeout=HTTP_TIMEOUT,
    )
    assert added.status_code == 201
    try:
        page.goto(stack.web_client_url)
        page.get_by_role("button", name="Add Xero").click()
        allow_on_consent_page(page, stack)
        page.get_by_role("button", name="Allow access").click()

        expect(page.get_by_role("status")).to_contain_text("more than one Xero organisation")
        card = xero_card(page)
        chooser = card.get_by_role("group", name="Which Xero organisation should Loc8 use?")
        expect(chooser.get_by_role("radio")).to_have_count(2)
        shots.take(page, "choose-organisation")
        chooser.get_by_role("radio", name="Harbour City Facility Services").check()
        card.get_by_role("button", name="Use this organisation").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Connected to Harbour City Facility Services."
        )
        expect(card.locator(".status-line")).to_contain_text("Harbour City Facility Services")
        expect(card.get_by_role("button", name="Save and start syncing")).to_be_visible()
        shots.take(page, "organisation-chosen")
    finally:
        for integration in api.get(f"{stack.api_url}/v1/integrations", timeout=HTTP_TIMEOUT).json()[
            "integrations"
        ]:
            api.delete(f"{stack.api_url}/v1/integrations/{integration['id']}", timeout=HTTP_TIMEOUT)
        requests.post(f"{stack.app_url('xero')}/_emulator/reset", timeout=HTTP_TIMEOUT)
