"""What the sync sees when Loc8 core fails, stalls, throttles or loses a reply."""

from __future__ import annotations

import pytest

from chalicelib.domain.loc8 import Loc8CustomerDraft
from chalicelib.domain.loc8_errors import Loc8AuthFailed, Loc8Unavailable
from localdev.loc8 import Loc8Emulator
from localdev.stack import free_port
from tests.support.loc8_emulator import TENANT, Sleeps, make_client

LIST_TAX_TYPES = "GET /v1/tenants/{tenant_id}/tax-types"
CREATE_CUSTOMER = "POST /v1/tenants/{tenant_id}/customers"


def test_a_503_is_retried_and_the_caller_never_knows(loc8, emulator: Loc8Emulator):
    emulator.faults.add("GET", "/v1/tenants/{tenant_id}/tax-types", status=503, times=1)

    assert [t.code for t in loc8.tax_types("demo")] == ["BAS_EXCLUDED", "GST", "GST_FREE"]
    assert emulator.calls[LIST_TAX_TYPES] == 2


def test_a_429_waits_as_long_as_retry_after_says(loc8, emulator: Loc8Emulator, sleeps: Sleeps):
    emulator.faults.add(
        "GET", "/v1/tenants/demo/tax-types", status=429, headers={"Retry-After": "2"}, times=2
    )

    assert len(loc8.tax_types("demo")) == 3
    assert sleeps == [2.0, 2.0]
    assert emulator.calls[LIST_TAX_TYPES] == 3


def test_a_long_retry_after_is_handed_to_the_job_instead_of_slept(
    loc8, emulator: Loc8Emulator, sleeps: Sleeps
):
    emulator.faults.add(
        "GET", "/v1/tenants/demo/tax-types", status=429, headers={"Retry-After": "120"}
    )

    with pytest.raises(Loc8Unavailable) as unavailable:
        loc8.tax_types("demo")
    assert unavailable.value.retry_after_seconds == 120
    assert sleeps == []
    assert emulator.calls[LIST_TAX_TYPES] == 1


def test_retries_are_bounded_then_unavailable(server, emulator: Loc8Emulator, sleeps: Sleeps):
    emulator.faults.add("GET", "/v1/tenants/{tenant_id}/tax-types", status=502, times=None)
    loc8 = make_client(server, sleeps, max_retries=2)

    with pytest.raises(Loc8Unavailable, match="HTTP 502"):
        loc8.tax_types("demo")
    assert emulator.calls[LIST_TAX_TYPES] == 3
    assert len(sleeps) == 1, "backoff before the second retry (the first is immediate)"


def test_a_timeout_becomes_unavailable(server, emulator: Loc8Emulator, sleeps: Sleeps):
    emulator.faults.add(
        "GET", "/v1/tenants/{tenant_id}/tax-types", mode="delay", latency_ms=300, times=None
    )
    loc8 = make_client(server, sleeps, timeout=(1.0, 0.05), max_retries=1)

    with pytest.raises(Loc8Unavailable, match="did not answer in time"):
        loc8.tax_types("demo")
    assert emulator.calls[LIST_TAX_TYPES] == 2


def test_an_unreachable_loc8_is_unavailable(server, sleeps: Sleeps):
    loc8 = make_client(server, sleeps, base_url=f"http://127.0.0.1:{free_port()}", max_retries=1)
    with pytest.raises(Loc8Unavailable, match="could not be reached"):
        loc8.tax_types("demo")


def test_a_lost_reply_to_a_create_is_retried_without_a_duplicate(loc8, emulator: Loc8Emulator):
    # Loc8 core creates the customer, then the gateway loses the answer (HTML 504).
    emulator.faults.add("POST", "/v1/tenants/{tenant_id}/customers", mode="commit_then_drop")

    created = loc8.create_customer(TENANT, Loc8CustomerDraft(name="Lost Reply Plumbing"))

    customers = emulator.snapshot(TENANT)["customers"]
    assert [c["id"] for c in customers if c["name"] == "Lost Reply Plumbing"] == [created.id]
    assert emulator.calls[CREATE_CUSTOMER] == 2


def test_a_cut_connection_after_an_update_is_retried_safely(loc8, emulator: Loc8Emulator):
    customer = next(loc8.iter_customers("demo"))
    emulator.faults.add(
        "PUT", "/v1/tenants/{tenant_id}/customers/{customer_id}", mode="commit_then_close"
    )
    changed = customer.to_draft().model_copy(update={"phone": "02 5550 3333"})

    updated = loc8.update_customer("demo", customer.id, changed, version=customer.version)
    # The retry got the stored answer, not a 409 against its own first attempt.
    assert updated.version == customer.version + 1
    assert loc8.get_customer("demo", customer.id).phone == "02 5550 3333"


def test_a_wrong_service_token_fails_at_once(server, emulator: Loc8Emulator, sleeps: Sleeps):
    loc8 = make_client(server, sleeps, token="not-the-token")
    with pytest.raises(Loc8AuthFailed, match="credential"):
        loc8.tax_types("demo")
    assert emulator.calls[LIST_TAX_TYPES] == 1
    assert sleeps == []
