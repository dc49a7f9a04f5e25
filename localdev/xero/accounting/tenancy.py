"""Where an organisation's Books live: on ``Organisation.resources``, so the identity
side's reset() drops them together with the organisation."""

from __future__ import annotations

from localdev.emukit import Clock
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.chart import new_books
from localdev.xero.accounting.dates import to_millis
from localdev.xero.models import Organisation
from localdev.xero.state import DEMO_TENANT_ID, EmulatorState

_KEY = "accounting"


def books_of(state: EmulatorState, clock: Clock, organisation: Organisation) -> Books:
    """The organisation's books, set up on first use: the AU chart and tax rates, and
    for Demo Company (AU) its sample contacts, items and invoices."""
    books = organisation.resources.get(_KEY)
    if books is None:
        with state.lock:
            books = organisation.resources.get(_KEY)
            if books is None:
                books = new_books(
                    organisation.tenant_id,
                    organisation.name,
                    to_millis(clock.now()),
                    demo=organisation.tenant_id == DEMO_TENANT_ID,
                )
                organisation.resources[_KEY] = books
    return books


def set_up(state: EmulatorState, clock: Clock, organisation: Organisation, *, chart: bool) -> Books:
    """Create the books now (rather than on first use), optionally with no chart."""
    books = new_books(
        organisation.tenant_id,
        organisation.name,
        to_millis(clock.now()),
        demo=organisation.tenant_id == DEMO_TENANT_ID,
        chart=chart,
    )
    with state.lock:
        organisation.resources[_KEY] = books
    return books
