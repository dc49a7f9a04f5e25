"""Sync tests run jobs at once: delays asked of SQS are recorded, not waited for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.bootstrap import Container
from tests.support.app_kits import AppKit, FakeBooksKit, XeroKit
from tests.support.emulated import Emulated
from tests.support.fakes import DelayRecordingQueue
from tests.support.invoices import AppSide, FakeBooksSide, XeroSide
from tests.support.quickbooks_emulated import (
    QuickBooksEmulated,
    QuickBooksKit,
    quickbooks_emulated,
)

APP_KITS = ["xero", "fake_books", "quickbooks"]


def _app_under_test(request: pytest.FixtureRequest) -> str | None:
    callspec = getattr(request.node, "callspec", None)
    return callspec.params.get("app_kit") if callspec is not None else None


@pytest.fixture
def emulated(request: pytest.FixtureRequest, emulated: Emulated) -> Iterator[Emulated]:
    """The service against the emulators; connected to QuickBooks Online instead of Xero
    when the test runs with the QuickBooks kit."""
    if _app_under_test(request) != "quickbooks":
        yield emulated
        return
    with quickbooks_emulated(emulated) as switched:
        yield switched


@pytest.fixture
def job_container(emulated: Emulated) -> Container:
    return emulated.container


@pytest.fixture(autouse=True)
def _jobs_run_at_once(queue_delays: DelayRecordingQueue) -> None:
    """Every sync test records the delays asked of SQS instead of waiting for them."""


@pytest.fixture(params=APP_KITS)
def app_kit(request, emulated) -> AppKit:
    """The app the test syncs with; each test taking it runs once per app."""
    if request.param == "fake_books":
        return FakeBooksKit.install(emulated)
    if request.param == "quickbooks":
        assert isinstance(emulated, QuickBooksEmulated)
        return QuickBooksKit.install(emulated)
    return XeroKit(emulated)


@pytest.fixture(params=["xero", "fake_books"])
def app_side(request, emulated) -> AppSide:
    """The app an invoice or payment test syncs with; the test runs once per app."""
    return XeroSide(emulated) if request.param == "xero" else FakeBooksSide(emulated)
