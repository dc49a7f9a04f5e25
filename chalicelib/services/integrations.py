"""Adding, reading, authorising, binding and disconnecting integrations."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.apps import available_app
from chalicelib.domain.errors import AccessRevoked
from chalicelib.domain.integration import Integration, IntegrationStatus
from chalicelib.observability import logger
from chalicelib.ports import AccountingAuthRegistry, Clock, IntegrationRepo, TokenVault
from chalicelib.services.consent import Consent

# A token this close to expiry is refreshed before the disconnect calls use it.
REFRESH_MARGIN = timedelta(minutes=1)


class Integrations:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        vault: TokenVault,
        auths: AccountingAuthRegistry,
        consent: Consent,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._vault = vault
        self._auths = auths
        self._consent = consent
        self._clock = clock

    def list(self, tenant_id: str, include_disconnected: bool = False) -> list[Integration]:
        return self._repo.list(tenant_id, include_disconnected)

    def get(self, tenant_id: str, integration_id: str) -> Integration:
        return self._repo.get(tenant_id, integration_id)

    def add(self, tenant_id: str, app: object) -> tuple[Integration, str]:
        app_info = available_app(app)
        now = self._clock.now()
        integration = Integration(
            tenant_id=tenant_id, app=app_info.key, created_at=now, updated_at=now
        )
        self._repo.add(integration)
        logger.info("integration added", extra={"integration_id": integration.id})
        return integration, self._consent.begin(integration)

    def authorize(self, tenant_id: str, integration_id: str) -> str:
        return self._consent.begin(self._repo.get(tenant_id, integration_id))

    def choose_organisation(
        self, tenant_id: str, integration_id: str, organisation_id: str
    ) -> Integration:
        integration = self._repo.get(tenant_id, integration_id)
        integration.choose_organisation(organisation_id, self._clock.now())
        self._repo.save(integration)
        return integration

    def disconnect(self, tenant_id: str, integration_id: str) -> None:
        """Revoke at the app, delete the tokens, mark DISCONNECTED; record links stay.

        If the app cannot be reached nothing changes here, so the user can retry;
        access the app already revoked counts as done.
        """
        integration = self._repo.get(tenant_id, integration_id)
        if integration.status is IntegrationStatus.DISCONNECTED:
            return
        tokens = self._vault.get(tenant_id, integration_id)
        if tokens is not None:
            auth = self._auths.auth_for(integration.app)
            try:
                if tokens.expires_within(self._clock.now(), REFRESH_MARGIN):
                    tokens = auth.refresh(tokens)
                    self._vault.put(tenant_id, integration_id, tokens)
                if integration.organisation is not None:
                    auth.disconnect_organisation(tokens, integration.organisation)
                auth.revoke(tokens)
            except AccessRevoked:
                logger.info("access was already revoked at the app")
            self._vault.delete(tenant_id, integration_id)
        integration.disconnect(self._clock.now())
        self._repo.save(integration)
        logger.info("integration disconnected")
