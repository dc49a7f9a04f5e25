"""Token refresh: one path, short waits on another caller's refresh, catalogue names."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib.domain.errors import AccessRevoked, TemporarilyUnavailable
from chalicelib.domain.integration import IntegrationStatus
from chalicelib.services.access_tokens import AccessTokens
from tests.support.auth import bearer
from tests.support.consent import connect
from tests.support.fakes import AnyAppRegistry

# What a request may spend waiting on another caller's refresh before answering.
REQUEST_WAIT_LIMIT_SECONDS = 2.0


def hold_refresh_lease(container, integration_id: str, clock) -> None:
    container.leases.acquire(
        f"token-refresh#{integration_id}", "another-caller", timedelta(minutes=1), clock.now()
    )


def secret_names() -> list[str]:
    return [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"]]


def test_a_caller_waits_at_most_two_seconds_on_another_refresh_then_gets_a_retryable_error(
    api, fake_app, container, clock
):
    integration_id = connect(api, fake_app)["added"]["id"]
    integration = container.repo.get("tenant-a", integration_id)
    clock.advance(minutes=45)
    hold_refresh_lease(container, integration_id, clock)
    waits: list[float] = []
    tokens = AccessTokens(
        vault=container.token_vault,
        leases=container.leases,
        auths=container.providers,
        repo=container.repo,
        clock=clock,
        sleep=waits.append,
    )

    with pytest.raises(TemporarilyUnavailable) as busy:
        tokens.current(integration)

    assert 0 < sum(waits) <= REQUEST_WAIT_LIMIT_SECONDS
    assert len(waits) <= 4, "a few re-reads of the secret, not one every 100 ms"
    assert busy.value.retry_after_seconds > 0
    assert "refresh" not in fake_app.calls


def test_disconnect_goes_through_the_single_flight_refresh(api, fake_app, container, clock):
    integration_id = connect(api, fake_app)["added"]["id"]
    clock.advance(minutes=45)
    hold_refresh_lease(container, integration_id, clock)

    response = api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "refresh" not in fake_app.calls, "no second refresh beside the lease holder's"
    assert len(secret_names()) == 1
    still = api.http.get(f"/v1/integrations/{integration_id}", headers=bearer()).json_body
    assert still["status"] == "AUTHORISED"


def test_disconnect_after_the_grant_was_revoked_still_disconnects(api, fake_app, clock):
    integration_id = connect(api, fake_app)["added"]["id"]
    clock.advance(minutes=45)
    fake_app.failures["refresh"] = AccessRevoked("invalid_grant")

    response = api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())

    assert response.status_code == 204
    assert secret_names() == []
    kept = api.http.get("/v1/integrations?include=disconnected", headers=bearer()).json_body
    assert [i["status"] for i in kept["integrations"]] == ["DISCONNECTED"]


def test_the_reconnect_message_names_the_app_as_the_catalogue_does(api, fake_app, container, clock):
    integration_id = connect(api, fake_app)["added"]["id"]
    integration = container.repo.get("tenant-a", integration_id)
    integration.app = "quickbooks"  # a catalogue key whose name is not its capitalised key
    clock.advance(minutes=45)
    fake_app.failures["refresh"] = AccessRevoked("invalid_grant")

    tokens = AccessTokens(
        vault=container.token_vault,
        leases=container.leases,
        auths=AnyAppRegistry(fake_app),
        repo=container.repo,
        clock=clock,
    )

    with pytest.raises(AccessRevoked):
        tokens.current(integration)

    stored = container.repo.get("tenant-a", integration_id)
    assert stored.status is IntegrationStatus.NEEDS_RECONNECT
    assert stored.attention.message.startswith("QuickBooks Online access was revoked")
