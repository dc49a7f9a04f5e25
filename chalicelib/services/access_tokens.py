"""The one way any code path gets a usable access token for an integration.

Refresh is single-flight across Lambdas: a DynamoDB lease per integration, the
secret re-read after taking it (someone else may have refreshed), the rotated set
written back before it is used. A caller that finds another refresh under way re-reads
the secret a few times within `wait_seconds` (two by default, so an API request never
hangs on it) and otherwise gets `RefreshInProgress`: a 503 with Retry-After for the
API, a deferral for the sync worker. A lost refresh response needs nothing special
when, as the OAuth apps we connect do, the app keeps the previous refresh token usable
for a grace period: the next attempt simply repeats the refresh. `invalid_grant` marks
the integration NEEDS_RECONNECT.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from chalicelib.domain.apps import app_name
from chalicelib.domain.errors import AccessRevoked, TemporarilyUnavailable
from chalicelib.domain.integration import Integration
from chalicelib.domain.tokens import TokenSet
from chalicelib.observability import logger, metrics
from chalicelib.ports import AccountingAuthRegistry, Clock, IntegrationRepo, Leases, TokenVault
from chalicelib.services.integration_updates import mark_needs_reconnect

REFRESH_MARGIN = timedelta(minutes=5)
LEASE_TTL = timedelta(seconds=30)
WAIT_FOR_OTHER_REFRESH_SECONDS = 2.0
FIRST_RECHECK_SECONDS = 0.25
RETRY_AFTER_SECONDS = 5
RECONNECT_MESSAGE = "{app} access was revoked; reconnect to resume syncing."
NOT_CONNECTED = "{app} is not connected; reconnect to continue."
DISCONNECTED = "{app} was disconnected; reconnect to continue."


class RefreshInProgress(TemporarilyUnavailable):
    """Another caller is refreshing this integration's tokens; try again shortly."""

    def __init__(self) -> None:
        super().__init__(
            "This connection's access is being renewed by another request; try again shortly.",
            RETRY_AFTER_SECONDS,
        )


class AccessTokens:
    def __init__(
        self,
        *,
        vault: TokenVault,
        leases: Leases,
        auths: AccountingAuthRegistry,
        repo: IntegrationRepo,
        clock: Clock,
        sleep: Callable[[float], None] = time.sleep,
        wait_seconds: float = WAIT_FOR_OTHER_REFRESH_SECONDS,
    ) -> None:
        self._vault = vault
        self._leases = leases
        self._auths = auths
        self._repo = repo
        self._clock = clock
        self._sleep = sleep
        self._wait_seconds = wait_seconds

    def current(self, integration: Integration, *, force_refresh: bool = False) -> TokenSet:
        """A token set whose access token has at least five minutes left.

        `force_refresh` is for an access token the app just refused (HTTP 401)
        although it had not expired.
        """
        tokens = self._stored(integration)
        if force_refresh or tokens.expires_within(self._clock.now(), REFRESH_MARGIN):
            return self._refresh_single_flight(integration, tokens)
        return tokens

    def _stored(self, integration: Integration) -> TokenSet:
        tokens = self._vault.get(integration.tenant_id, integration.id)
        if tokens is None:
            raise AccessRevoked(NOT_CONNECTED.format(app=app_name(integration.app)))
        return tokens

    def _refresh_single_flight(self, integration: Integration, seen: TokenSet) -> TokenSet:
        lease_name = f"token-refresh#{integration.id}"
        owner = secrets.token_hex(8)
        for wait in [0.0, *self._rechecks()]:
            if wait:
                self._sleep(wait)
                latest = self._stored(integration)
                if _newer(latest, seen):
                    return latest
            if self._leases.acquire(lease_name, owner, LEASE_TTL, self._clock.now()):
                try:
                    return self._refresh_holding_lease(integration, seen)
                finally:
                    self._leases.release(lease_name, owner)
        raise RefreshInProgress()

    def _rechecks(self) -> list[float]:
        """Doubling waits that add up to no more than `wait_seconds`."""
        waits: list[float] = []
        wait = FIRST_RECHECK_SECONDS
        while sum(waits) + wait <= self._wait_seconds:
            waits.append(wait)
            wait *= 2
        return waits

    def _refresh_holding_lease(self, integration: Integration, seen: TokenSet) -> TokenSet:
        latest = self._stored(integration)
        if _newer(latest, seen) and not latest.expires_within(self._clock.now(), REFRESH_MARGIN):
            return latest
        auth = self._auths.auth_for(integration.app)
        try:
            fresh = auth.refresh(latest)
        except AccessRevoked:
            self._mark_needs_reconnect(integration)
            raise
        if not self._vault.put(integration.tenant_id, integration.id, fresh, create=False):
            # Disconnected while we refreshed: the new tokens must not outlive it.
            auth.revoke(fresh)
            raise AccessRevoked(DISCONNECTED.format(app=app_name(integration.app)))
        metrics.add_metric(name="TokenRefreshes", unit="Count", value=1)
        logger.info("access token refreshed")
        return fresh

    def _mark_needs_reconnect(self, integration: Integration) -> None:
        message = RECONNECT_MESSAGE.format(app=app_name(integration.app))
        mark_needs_reconnect(self._repo, integration, message, self._clock)


def _newer(candidate: TokenSet, seen: TokenSet) -> bool:
    return candidate.access_token.get_secret_value() != seen.access_token.get_secret_value()
