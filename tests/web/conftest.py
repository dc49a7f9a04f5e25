"""The local stack, Debian's Chromium driven by Playwright, and screenshots as artifacts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from localdev.dev_tokens import mint_token
from localdev.stack import PROJECT_ROOT, LocalStack, Ports
from tests.support.browser import CHROMIUM_ARGS, HTTP_TIMEOUT, Screenshots, find_or_install_chromium

ARTIFACTS = PROJECT_ROOT / "artifacts" / "web"
WAIT_MS = 15_000
DESKTOP = {"width": 1100, "height": 900}


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    chromium = find_or_install_chromium()
    if chromium.path is None:
        pytest.skip(f"no Chromium for the browser tests: {chromium.reason}")
    return chromium.path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(
        Ports.free(), log_dir=tmp_path_factory.mktemp("web-logs"), schedule_seconds=3600
    )
    with running:
        yield running


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def allowed_http_errors() -> set[int]:
    """HTTP error statuses the test provokes on purpose; add to it in the test."""
    return {412, 422}


@pytest.fixture
def page(browser: Browser, allowed_http_errors: set[int]) -> Iterator[Page]:
    """A fresh browser tab; it fails the test on a script error or an unexpected HTTP error."""
    context = browser.new_context(viewport=DESKTOP, locale="en-AU", timezone_id="UTC")
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400
            and response.status not in allowed_http_errors
            # The Xero emulator's consent page has no icon.
            and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    opened.on(
        "requestfailed",
        lambda request: (
            problems.append(f"failed: {request.url} ({request.failure})")
            # A navigation cancels the page's requests still in flight (a test moving on
            # to another address while the list refreshes): not a failure of the page.
            if request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    assert problems == []


@pytest.fixture
def shots(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Screenshots:
    folder = ARTIFACTS / re.sub(r"\W+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with capsys.disabled():
        print(f"\nscreenshots: {folder}")
    return Screenshots(folder)


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token('demo', ['admin'])}"}


@pytest.fixture
def api(stack: LocalStack) -> Iterator[requests.Session]:
    """An admin HTTP session on the API; whatever the test leaves connected is disconnected."""
    session = requests.Session()
    session.headers.update(admin_headers())
    yield session
    listed = session.get(f"{stack.api_url}/v1/integrations", timeout=HTTP_TIMEOUT).json()
    for integration in listed["integrations"]:
        session.delete(f"{stack.api_url}/v1/integrations/{integration['id']}", timeout=HTTP_TIMEOUT)
