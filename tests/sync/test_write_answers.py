"""An app answer that does not account for every record of a batched write: each record
of that batch is a reported error, and none is passed over or made twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.loc8 import Loc8LineItemDraft
from tests.support.app_kits import loc8_customers
from tests.support.auth import bearer
from tests.support.catalogue import LINE_ITEMS, loc8_items
from tests.support.emulated import TENANT, Emulated
from tests.support.jobs import drain_queue
from tests.support.sync_runs import run_to_completion, sync

UNKNOWN = "did not say what happened to this record"


class OneShortAnswer:
    """The real app adapter, but the first call of `method` answers one element short,
    after the app has made every record of the batch."""

    def __init__(self, real: Any, method: str, spent: list[bool]) -> None:
        self._real = real
        self._method = method
        self._spent = spent

    def __getattr__(self, name: str) -> Any:
        answer = getattr(self._real, name)
        if name != self._method or self._spent:
            return answer

        def short(*args: Any, **kwargs: Any) -> Any:
            self._spent.append(True)
            return answer(*args, **kwargs)[:-1]

        return short


@pytest.fixture
def short_answer(emulated: Emulated) -> Iterator[Callable[[str], None]]:
    providers = emulated.container.providers
    real_app_for = providers.app_for
    spent: list[bool] = []

    def arm(method: str) -> None:
        providers.app_for = lambda integration: OneShortAnswer(  # type: ignore[method-assign]
            real_app_for(integration), method, spent
        )

    yield arm
    providers.app_for = real_app_for  # type: ignore[method-assign]


def activation_run(emulated: Emulated, switches: dict[str, bool]) -> tuple[str, dict]:
    integration_id = emulated.activate(sync=switches)
    [job] = drain_queue()
    run_to_completion(emulated, [job])
    run = emulated.client.http.get(
        f"/v1/integrations/{integration_id}/sync-runs/{job['run_id']}", headers=bearer(TENANT)
    ).json_body
    return integration_id, run


def test_customers_the_app_did_not_answer_for_are_reported_and_linked_next_run(
    emulated, app_kit, short_answer
):
    short_answer("create_contacts")
    integration_id, run = activation_run(emulated, {"customers": True})
    unknown = [e for e in run["errors"] if UNKNOWN in e["message"]]
    assert unknown, run["errors"]
    assert run["status"] == "PARTIAL"
    assert run["counts"]["customers"]["failed"] >= len(unknown)

    again = sync(emulated, integration_id)

    # Found by lookup and linked; nothing created twice on either side.
    assert not [e for e in again["errors"] if UNKNOWN in e["message"]]
    assert again["counts"]["customers"]["created"] == 0
    assert again["counts"]["customers"]["unchanged"] >= len(unknown)
    assert max(Counter(c.name for c in app_kit.contacts()).values()) == 1
    assert max(Counter(c["name"] for c in loc8_customers(emulated)).values()) == 1
    assert len(loc8_customers(emulated)) == 25 + app_kit.starting_customers
    assert sync(emulated, integration_id)["counts"]["customers"]["updated"] == 0


def test_line_items_the_app_did_not_answer_for_are_reported_and_linked_next_run(
    emulated, app_kit, short_answer
):
    loc8 = emulated.container.loc8_api
    for code in ("PIPE1", "PIPE2", "TAP1", "TAP2"):  # codes every app can hold
        loc8.create_line_item(
            TENANT,
            Loc8LineItemDraft(
                code=code, name=f"Part {code}", unit_price=Decimal("12.50"), tax_type_code="GST"
            ),
        )
    short_answer("save_items")
    integration_id, first = activation_run(emulated, LINE_ITEMS)
    unknown = [e for e in first["errors"] if UNKNOWN in e["message"]]
    assert unknown, first["errors"]
    assert first["status"] == "PARTIAL"

    again = sync(emulated, integration_id)

    assert not [e for e in again["errors"] if UNKNOWN in e["message"]]
    longest = app_kit.app(integration_id).profile.item_code_max_length
    fitting = {code for code in loc8_items(emulated) if len(code) <= longest}
    # A Loc8 item linked to an app item of the same name is held under the app's code.
    linked = {e["record"] for e in first["errors"] if "same name" in e["message"]}
    assert fitting - linked <= set(app_kit.items())
    # Codes the app cannot hold are reported, never cut into another item's code.
    reported = {e["record"] for e in again["errors"]}
    assert reported == set(loc8_items(emulated)) - fitting
    assert again["status"] == ("SUCCEEDED" if not reported else "PARTIAL")
