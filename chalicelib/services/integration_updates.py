"""Small read-modify-write updates of an integration that retry on a concurrent save."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.integration import Integration, IntegrationStatus
from chalicelib.observability import logger
from chalicelib.ports import Clock, IntegrationRepo

ATTEMPTS = 3


def update_integration(
    repo: IntegrationRepo,
    tenant_id: str,
    integration_id: str,
    change: Callable[[Integration], bool],
) -> None:
    """Apply `change` to the latest copy and save it; `change` returns False to skip."""
    for _attempt in range(ATTEMPTS):
        current = repo.get(tenant_id, integration_id)
        if not change(current):
            return
        try:
            repo.save(current)
            return
        except ConcurrentUpdate:
            continue
    logger.warning("integration update lost to concurrent saves")


def mark_needs_reconnect(
    repo: IntegrationRepo, integration: Integration, message: str, clock: Clock
) -> None:
    def change(current: Integration) -> bool:
        if current.status in (IntegrationStatus.NEEDS_RECONNECT, IntegrationStatus.DISCONNECTED):
            return False
        current.require_reconnect(message, clock.now())
        logger.warning("integration needs reconnecting")
        return True

    update_integration(repo, integration.tenant_id, integration.id, change)
