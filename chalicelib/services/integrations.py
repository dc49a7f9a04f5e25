"""Adding, reading, authorising, binding and disconnecting integrations."""

from __future__ import annotations

from chalicelib.domain.apps import available_app
from chalicelib.domain.errors import AccessRevoked
from chalicelib.domain.integration import Integration, IntegrationStatus
from chalicelib.observability import logger
from chalicelib.ports import AccountingAuthRegistry, Clock, IntegrationRepo, TokenVault
from chalicelib.services.access_tokens import AccessTokens
from chalicelib.services.consent import Consent


class Integrations:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        vault: TokenVault,
        auths: AccountingAuthRegistry,
        access_tokens: AccessTokens,
        consent: Consent,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._vault = vault
        self._auths = auths
        self._access_tokens = access_tokens
        self._consent = consent
        self._clock = clock

    def list(self, tenant_id: str, include_disconnected: bool = False) -> list[Integration]:
        return self._repo.list(tenant_id, include_disconnected)

    def get(self, tenant_id: str, integration_id: str) -> Integration:
        return self._repo.get(tenant_id, integration_id)

    def add(self, tenant_id: str, app: object, initiator: str) -> tuple[Integration, str]:
        app_info = available_app(app)
        now = self._clock.now()
        integration = Integration(
            tenant_id=tenant_id, app=app_info.key, created_at=now, updated_at=now
        )
        self._repo.add(integration)
        logger.info("integration added", extra={"integration_id": integration.id})
        return integration, self._consent.begin(integration, initiator)

    def authorize(self, tenant_id: str, integration_id: str, initiator: str) -> str:
        return self._consent.begin(self._repo.get(tenant_id, integration_id), initiator)

    def choose_organisation(
        self, tenant_id: str, integration_id: str, organisation_id: str
    ) -> Integration:
        integration = self._repo.get(tenant_id, integration_id)
        integration.choose_organisation(organisation_id, self._clock.now())
        self._repo.save(integration)
        return integration

    def disconnect(self, tenant_id: str, integration_id: str) -> None:
        """Remove this integration's access at the app, delete the tokens, mark
        DISCONNECTED; record links stay.

        The app's adapter removes only what is this integration's own (the same app
        login may serve other integrations, of this tenant or another). If the app
        cannot be reached (or another request is renewing the tokens) nothing changes
        here, so the user can retry; access the app already revoked counts as done.
        """
        integration = self._repo.get(tenant_id, integration_id)
        if integration.status is IntegrationStatus.DISCONNECTED:
            return
        try:
            # Renewed through the one single-flight path if it is about to expire.
            tokens = self._access_tokens.current(integration)
        except AccessRevoked:
            tokens = None
            logger.info("access was already revoked at the app")
        if tokens is not None:
            auth = self._auths.auth_for(integration.app)
            try:
                auth.disconnect(tokens, integration.organisation)
            except AccessRevoked:
                logger.info("access was already revoked at the app")
        self._vault.delete(tenant_id, integration_id)

        # A refused refresh may have saved NEEDS_RECONNECT meanwhile: change the latest.
        latest = self._repo.get(tenant_id, integration_id)
        if latest.status is not IntegrationStatus.DISCONNECTED:
            latest.disconnect(self._clock.now())
            self._repo.save(latest)
        logger.info("integration disconnected")
