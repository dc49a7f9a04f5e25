"""The ports the services depend on; adapters implement them, tests pass fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.domain.accounting import Account, TaxRate
from chalicelib.domain.integration import Integration, Organisation
from chalicelib.domain.oauth_state import OAuthState
from chalicelib.domain.sync_run import SyncJob, SyncRun
from chalicelib.domain.tokens import TokenSet


class Clock(Protocol):
    def now(self) -> datetime: ...


class IntegrationRepo(Protocol):
    def add(self, integration: Integration) -> None:
        """Store a new integration; `AlreadyConnected` if the tenant has one of that app."""

    def get(self, tenant_id: str, integration_id: str) -> Integration:
        """The tenant's integration; `NotFound` for a missing id or another tenant's."""

    def list(self, tenant_id: str, include_disconnected: bool = False) -> list[Integration]: ...

    def save(self, integration: Integration) -> None:
        """Write changes if nobody saved since it was read, else `ConcurrentUpdate`.

        Moving to DISCONNECTED also frees the tenant's slot for that app.
        """


class OAuthStateStore(Protocol):
    def remember(self, state: OAuthState) -> None: ...

    def claim(self, state: OAuthState) -> bool:
        """Mark the state used; False if it was unknown or already used."""

    def release(self, state: OAuthState) -> None:
        """Undo a claim after a failure the user may retry (the app never used the code)."""


class TokenVault(Protocol):
    def put(self, tenant_id: str, integration_id: str, tokens: TokenSet) -> None: ...

    def get(self, tenant_id: str, integration_id: str) -> TokenSet | None: ...

    def delete(self, tenant_id: str, integration_id: str) -> None: ...


class AccountingAuth(Protocol):
    """The OAuth side of one accounting app."""

    def authorization_url(self, state: str, code_challenge: str) -> str: ...

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet: ...

    def refresh(self, tokens: TokenSet) -> TokenSet: ...

    def revoke(self, tokens: TokenSet) -> None: ...

    def granted_organisations(self, tokens: TokenSet) -> list[Organisation]: ...

    def disconnect_organisation(self, tokens: TokenSet, organisation: Organisation) -> None: ...


class AccountingAuthRegistry(Protocol):
    def auth_for(self, app: str) -> AccountingAuth: ...


class Leases(Protocol):
    def acquire(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take the named lease if it is free, expired, or already ours."""

    def release(self, name: str, owner: str) -> None:
        """Give the lease back if we still hold it."""


class SyncRuns(Protocol):
    def queue(self, run: SyncRun, slot_ttl: timedelta) -> tuple[SyncRun, bool]:
        """Record the run unless the integration already has one queued or running."""

    def get(self, integration_id: str, run_id: str) -> SyncRun: ...

    def save(self, run: SyncRun) -> None: ...

    def list(
        self, integration_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SyncRun], str | None]: ...

    def release_slot(self, integration_id: str, run_id: str) -> None: ...


class JobQueue(Protocol):
    def send(self, job: SyncJob, delay_seconds: int = 0) -> None: ...


class AppDataCache(Protocol):
    def get(self, integration_id: str, name: str, now: datetime) -> Any | None: ...

    def put(
        self, integration_id: str, name: str, document: Any, now: datetime, ttl: timedelta
    ) -> None: ...


class AccountingSettings(Protocol):
    """An organisation's settings data in the accounting app."""

    def accounts(self) -> list[Account]: ...

    def tax_rates(self) -> list[TaxRate]: ...


class AccountingSettingsRegistry(Protocol):
    def settings_for(self, integration: Integration) -> AccountingSettings: ...
