"""Where a pass stops and starts again: no record is lost to an edit, a late write or a
lost answer, against the app and Loc8 core emulators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.domain.accounting import AppContactDraft
from chalicelib.domain.sync_run import SyncJob
from localdev.xero import DEMO_TENANT_ID
from tests.emulated import TENANT, Emulated
from tests.jobs.conftest import drain_queue
from tests.sync.running import run_to_completion, sync
from tests.sync.test_customers_sync import assert_one_to_one, loc8_customers, xero_contacts

CONTACTS = "GET /api.xro/2.0/Contacts"


def app_of(emulated: Emulated, integration_id: str) -> Any:
    return emulated.container.providers.app_for(emulated.container.repo.get(TENANT, integration_id))


def edit_contact_in_app(emulated: Emulated, integration_id: str, name: str, email: str) -> None:
    contact = next(c for c in xero_contacts(emulated) if c["Name"] == name)
    [edited] = app_of(emulated, integration_id).update_contacts(
        [AppContactDraft(id=contact["ContactID"], name=name, email=email)],
        idempotency_key=f"edit-{name}-{email}",
    )
    assert edited.ok


def loc8_email_of(emulated: Emulated, name: str) -> str | None:
    [customer] = [c for c in loc8_customers(emulated) if c["name"] == name]
    return customer["email"]


def test_a_contact_edited_while_the_import_is_deferred_loses_no_contact(emulated):
    seeded = [f"Strata Plan {n:05d}" for n in range(1_200)]
    emulated.xero.seed(
        DEMO_TENANT_ID,
        Contacts=[
            {"Name": name, "EmailAddress": f"sp{n}@strata.example"} for n, name in enumerate(seeded)
        ],
    )
    integration_id = emulated.activate(sync={"customers": True})
    [job] = drain_queue()
    pages_read = lambda: emulated.xero.calls[CONTACTS]  # noqa: E731
    outcome = emulated.container.sync_worker.run(
        SyncJob.model_validate(job),
        remaining_time=lambda: timedelta(minutes=10 if pages_read() < 1 else 0),
    )
    assert outcome.value == "deferred"
    imported = {c["name"] for c in loc8_customers(emulated)}
    # Someone edits a contact the first page already brought over: it moves to the end
    # of the app's order, and every contact after it moves up one place.
    edited = next(name for name in seeded if name in imported)
    edit_contact_in_app(emulated, integration_id, edited, "new-address@strata.example")

    run_to_completion(emulated, drain_queue())

    imported = {c["name"] for c in loc8_customers(emulated)}
    assert [name for name in seeded if name not in imported] == []
    assert loc8_email_of(emulated, edited) == "new-address@strata.example"
    assert_one_to_one(emulated)


def test_a_change_landing_while_a_slow_pass_works_is_picked_up_by_the_next(emulated):
    """The app stamps changes to the second, and a write can become visible a little
    after its stamp. The next pass starts from what the pass read, judged when it
    read, so a slow pass cannot step over a write stamped in the last second it saw."""
    integration_id = emulated.activate(sync={"customers": True})
    run_to_completion(emulated, drain_queue())
    edit_contact_in_app(emulated, integration_id, "Boom FM", "ap@boomfm.example.com")
    books = emulated.xero.books(DEMO_TENANT_ID)
    [boom] = [c for c in books.contacts.values() if c["Name"] == "Boom FM"]
    newest_seen = boom["UpdatedDateUTC"]
    loc8 = emulated.container.loc8_api
    real_update = loc8.update_customer

    def slow_update(*args: Any, **kwargs: Any) -> Any:
        # While the pass works on Boom FM, another edit lands in the app, stamped in
        # the same second as Boom FM's edit, and the pass takes two minutes.
        loc8.update_customer = real_update
        edit_contact_in_app(emulated, integration_id, "City Agency", "ap@cityagency.example")
        [city] = [c for c in books.contacts.values() if c["Name"] == "City Agency"]
        city["UpdatedDateUTC"] = newest_seen
        emulated.xero.clock.advance(120)
        emulated.loc8.clock.advance(120)
        return real_update(*args, **kwargs)

    loc8.update_customer = slow_update
    try:
        first = sync(emulated, integration_id)
    finally:
        loc8.update_customer = real_update
    assert first["counts"]["customers"]["updated"] >= 1
    assert loc8_email_of(emulated, "Boom FM") == "ap@boomfm.example.com"

    sync(emulated, integration_id)

    assert loc8_email_of(emulated, "City Agency") == "ap@cityagency.example"
