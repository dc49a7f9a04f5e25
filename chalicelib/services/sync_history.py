"""Sync now, and reading an integration's run history (tenant-checked)."""

from __future__ import annotations

from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.integration import IntegrationStatus
from chalicelib.domain.sync_run import RunTrigger, SyncRun
from chalicelib.ports import IntegrationRepo, SyncRuns
from chalicelib.services.sync_requests import SyncRequests


class SyncHistory:
    def __init__(
        self, *, repo: IntegrationRepo, runs: SyncRuns, sync_requests: SyncRequests
    ) -> None:
        self._repo = repo
        self._runs = runs
        self._sync_requests = sync_requests

    def sync_now(self, tenant_id: str, integration_id: str) -> SyncRun:
        """Queue a manual run, or return the one already queued or running."""
        integration = self._repo.get(tenant_id, integration_id)
        if integration.status is not IntegrationStatus.ACTIVE:
            raise InvalidTransition(
                f"The integration is {integration.status.value}; only an ACTIVE "
                "integration can sync."
            )
        run, _created = self._sync_requests.request(integration, RunTrigger.MANUAL)
        return run

    def runs(
        self, tenant_id: str, integration_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SyncRun], str | None]:
        self._repo.get(tenant_id, integration_id)
        return self._runs.list(integration_id, limit, cursor)

    def run(self, tenant_id: str, integration_id: str, run_id: str) -> SyncRun:
        self._repo.get(tenant_id, integration_id)
        return self._runs.get(integration_id, run_id)
