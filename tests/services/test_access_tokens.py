"""Single-flight token refresh against the Xero emulator, with moto for AWS."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
from chalicelib.adapters.leases import DynamoLeases
from chalicelib.adapters.token_vault import SecretsManagerTokenVault
from chalicelib.domain.errors import AccessRevoked, ProviderUnavailable
from chalicelib.domain.integration import Integration, IntegrationStatus
from chalicelib.domain.oauth_state import pkce_challenge
from chalicelib.services.access_tokens import AccessTokens, RefreshInProgress
from tests.support.emulated import EmulatorClock
from tests.support.fakes import AnyAppRegistry
from tests.support.settings import TABLE
from tests.support.xero_emulator_fixtures import CLIENT_ID, xero_oauth

VERIFIER = "v" * 64
TOKEN_ENDPOINT = "POST /connect/token"


@pytest.fixture
def connected(aws, xero):
    """An AUTHORISED integration whose tokens came from a real consent at the emulator."""
    emulator, server = xero
    clock = EmulatorClock(emulator)
    oauth = xero_oauth(server)
    oauth._clock = clock  # token expiry computed on the emulator's clock
    url = oauth.authorization_url("s", pkce_challenge(VERIFIER))
    code = parse_qs(urlsplit(emulator.consent(url)).query)["code"][0]
    tokens = oauth.exchange_code(code, VERIFIER)
    repo = DynamoIntegrationRepo(DynamoTable(TABLE))
    now = clock.now()
    integration = Integration(tenant_id="t1", app="xero", created_at=now, updated_at=now)
    repo.add(integration)
    integration.grant(oauth.granted_organisations(tokens), now)
    repo.save(integration)
    vault = SecretsManagerTokenVault("loc8-test/tokens")
    vault.put("t1", integration.id, tokens)

    def service(**options) -> AccessTokens:
        return AccessTokens(
            vault=options.pop("vault", vault),
            leases=DynamoLeases(DynamoTable(TABLE)),
            auths=AnyAppRegistry(oauth),
            repo=repo,
            clock=clock,
            **options,
        )

    return emulator, integration, vault, repo, service


def test_a_fresh_token_is_used_without_calling_xero(connected):
    emulator, integration, vault, _repo, service = connected
    before = emulator.calls[TOKEN_ENDPOINT]
    assert service().current(integration) == vault.get("t1", integration.id)
    assert emulator.calls[TOKEN_ENDPOINT] == before


def test_a_token_with_under_five_minutes_left_is_refreshed_and_stored(connected):
    emulator, integration, vault, _repo, service = connected
    old = vault.get("t1", integration.id)
    emulator.clock.advance(26 * 60)
    fresh = service().current(integration)
    assert fresh.access_token != old.access_token
    assert vault.get("t1", integration.id) == fresh


def test_many_concurrent_callers_cause_exactly_one_refresh(connected):
    emulator, integration, _vault, _repo, service = connected
    emulator.clock.advance(31 * 60)
    before = emulator.calls[TOKEN_ENDPOINT]
    callers = 12
    start = threading.Barrier(callers)
    results: list[str] = []
    failures: list[BaseException] = []

    def call() -> None:
        start.wait()
        try:
            tokens = service(sleep=lambda seconds: threading.Event().wait(seconds)).current(
                integration
            )
            results.append(tokens.access_token.get_secret_value())
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert emulator.calls[TOKEN_ENDPOINT] - before == 1
    assert len(set(results)) == 1
    organisations = service().current(integration)
    assert organisations.access_token.get_secret_value() == results[0]


def test_a_lost_refresh_response_is_recovered_within_xeros_grace(connected):
    emulator, integration, vault, _repo, service = connected
    emulator.clock.advance(31 * 60)
    emulator.faults.add("POST", "/connect/token", mode="commit_then_drop")
    with pytest.raises(ProviderUnavailable):
        service().current(integration)
    emulator.clock.advance(60)
    fresh = service().current(integration)
    assert vault.get("t1", integration.id) == fresh
    assert not fresh.expires_within(emulator.clock.now(), timedelta(minutes=5))


def test_revoked_access_marks_the_integration_needs_reconnect_without_retrying(connected):
    emulator, integration, vault, repo, service = connected
    emulator.oauth.revoke(
        CLIENT_ID, vault.get("t1", integration.id).refresh_token.get_secret_value()
    )
    emulator.clock.advance(31 * 60)
    before = emulator.calls[TOKEN_ENDPOINT]
    with pytest.raises(AccessRevoked):
        service().current(integration)
    assert emulator.calls[TOKEN_ENDPOINT] - before == 1
    stored = repo.get("t1", integration.id)
    assert stored.status is IntegrationStatus.NEEDS_RECONNECT
    assert stored.attention is not None
    assert "reconnect" in stored.attention.message


def test_a_forced_refresh_replaces_a_token_xero_refused(connected):
    _emulator, integration, vault, _repo, service = connected
    old = vault.get("t1", integration.id)
    assert service().current(integration, force_refresh=True).access_token != old.access_token


def test_a_caller_gives_up_when_another_refresh_holds_the_lease_too_long(connected):
    emulator, integration, _vault, _repo, service = connected
    emulator.clock.advance(31 * 60)
    DynamoLeases(DynamoTable(TABLE)).acquire(
        f"token-refresh#{integration.id}",
        "someone-else",
        timedelta(minutes=1),
        emulator.clock.now(),
    )
    with pytest.raises(RefreshInProgress):
        service(sleep=lambda _s: None, wait_seconds=0.5).current(integration)


def test_missing_tokens_mean_reconnect(aws):
    class NoTokens:
        def get(self, *_args):
            return None

    now = datetime(2026, 11, 25, tzinfo=UTC)
    integration = Integration(tenant_id="t", app="xero", created_at=now, updated_at=now)
    service = AccessTokens(
        vault=NoTokens(), leases=None, auths=None, repo=None, clock=SystemClock()
    )
    with pytest.raises(AccessRevoked, match="reconnect"):
        service.current(integration)


def test_a_refresh_racing_a_disconnect_does_not_bring_the_tokens_back(aws, connected):
    emulator, integration, vault, _repo, service = connected
    stale = vault.get("t1", integration.id)
    emulator.clock.advance(31 * 60)

    class ReadBeforeTheDisconnect:
        """The worker read the tokens just before the admin's disconnect deleted them."""

        def get(self, *_args):
            return stale

        def put(self, *args, **kwargs):
            return vault.put(*args, **kwargs)

    # The disconnect removed the organisation at Xero and deleted the tokens.
    assert emulator.disconnect_in_xero(integration.organisation.id)
    vault.delete("t1", integration.id)
    racing = service(vault=ReadBeforeTheDisconnect())
    with pytest.raises(AccessRevoked, match="disconnected"):
        racing.current(integration)
    assert vault.get("t1", integration.id) is None
    assert all(grant["revokedAt"] for grant in emulator.snapshot()["grants"])
