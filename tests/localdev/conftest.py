from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
import requests

from localdev.serving import RunningServer, serve_in_thread
from localdev.xero import XeroEmulator
from tests.support.xero_api import ACCOUNTING_SCOPES, AccountingClient
from tests.support.xero_flow import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_REDIRECT_URI,
    REDIRECT_URI,
    XeroFlow,
)
from tests.support.xero_spec import (
    MISSING_REASON,
    AccountingSpec,
    SpecCheckedApp,
    check_session,
    load_spec,
)


@pytest.fixture
def emulator() -> XeroEmulator:
    return XeroEmulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[REDIRECT_URI, OTHER_REDIRECT_URI],
    )


@pytest.fixture(scope="session")
def xero_spec() -> AccountingSpec | None:
    """Xero's accounting spec, loaded once per test process; None when it is absent."""
    spec = load_spec()
    if spec is None:
        warnings.warn(f"Accounting responses are NOT spec-checked: {MISSING_REASON}", stacklevel=1)
        return None
    return AccountingSpec(spec)


@pytest.fixture
def server(emulator: XeroEmulator, xero_spec: AccountingSpec | None) -> Iterator[RunningServer]:
    """The emulator on a real socket. Every Accounting response it sends, to any client
    (requests, the SDK's urllib3...), is checked against Xero's spec."""
    app = emulator.app if xero_spec is None else SpecCheckedApp(emulator.app, xero_spec)
    with serve_in_thread(app) as running:
        yield running
    if isinstance(app, SpecCheckedApp) and app.violations:
        pytest.fail("responses that break xero_accounting.yaml:\n" + "\n".join(app.violations))


@pytest.fixture
def xero(server: RunningServer, xero_spec: AccountingSpec | None) -> Iterator[XeroFlow]:
    with requests.Session() as session:
        if xero_spec is not None:
            # Fail at the call itself, with the offending request in the traceback.
            check_session(session, xero_spec)
        yield XeroFlow(server.url, session)


@pytest.fixture
def api(xero: XeroFlow) -> AccountingClient:
    """Logged in with every Accounting scope, talking to Demo Company (AU)."""
    return AccountingClient(xero, xero.login(scope=ACCOUNTING_SCOPES))
