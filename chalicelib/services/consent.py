"""OAuth consent: build the app's consent URL and finish the callback."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import (
    ConcurrentUpdate,
    DomainError,
    InvalidOAuthState,
    InvalidRequest,
    NotFound,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.oauth_state import StateSigner, pkce_challenge
from chalicelib.domain.tokens import TokenSet
from chalicelib.observability import logger
from chalicelib.ports import (
    AccountingAuth,
    AccountingAuthRegistry,
    Clock,
    IntegrationRepo,
    OAuthStateStore,
    TokenVault,
)


class ConsentResult(StrEnum):
    CONNECTED = "connected"
    CHOOSE_ORGANISATION = "choose_organisation"
    DENIED = "denied"
    ERROR = "error"


@dataclass(frozen=True)
class ConsentOutcome:
    integration_id: str
    result: ConsentResult
    message: str | None = None


class Consent:
    def __init__(
        self,
        *,
        repo: IntegrationRepo,
        states: OAuthStateStore,
        signer: StateSigner,
        vault: TokenVault,
        auths: AccountingAuthRegistry,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._states = states
        self._signer = signer
        self._vault = vault
        self._auths = auths
        self._clock = clock

    def begin(self, integration: Integration) -> str:
        """A fresh consent URL for the integration (its state is valid once, ten minutes)."""
        integration.ensure_can_authorise()
        auth = self._auths.auth_for(integration.app)
        state = self._signer.issue(
            integration.tenant_id, integration.id, integration.app, self._clock.now()
        )
        self._states.remember(state)
        challenge = pkce_challenge(self._signer.pkce_verifier(state))
        return auth.authorization_url(self._signer.sign(state), challenge)

    def finish(
        self, app: str, state_token: str | None, code: str | None, error: str | None
    ) -> ConsentOutcome:
        if not state_token:
            raise InvalidOAuthState("The callback has no authorisation state.")
        state = self._signer.verify(state_token, app, self._clock.now())
        if not self._states.claim(state):
            raise InvalidOAuthState("This authorisation was already used; start connecting again.")
        logger.append_keys(tenant_id=state.tenant_id, integration_id=state.integration_id)
        try:
            integration = self._repo.get(state.tenant_id, state.integration_id)
        except NotFound as missing:
            raise InvalidOAuthState("The authorisation is for an unknown integration.") from missing
        if integration.status is IntegrationStatus.DISCONNECTED:
            return self._outcome(integration, ConsentResult.ERROR, "The integration was removed.")
        if error:
            if error == "access_denied":
                return self._outcome(integration, ConsentResult.DENIED)
            return self._outcome(
                integration, ConsentResult.ERROR, f"The app refused the request ({error[:64]})."
            )
        if not code:
            raise InvalidRequest("The callback has neither a code nor an error.")
        auth = self._auths.auth_for(app)
        try:
            tokens = auth.exchange_code(code, self._signer.pkce_verifier(state))
        except ProviderUnavailable:
            # The app never consumed the code, so the same callback may be retried.
            self._states.release(state)
            raise
        except ProviderRejected as rejected:
            return self._outcome(integration, ConsentResult.ERROR, rejected.message)
        return self._connect(integration, auth, tokens)

    def _connect(
        self, integration: Integration, auth: AccountingAuth, tokens: TokenSet
    ) -> ConsentOutcome:
        had_tokens = integration.has_tokens
        try:
            granted = auth.granted_organisations(tokens)
            integration.grant(granted, self._clock.now())
        except (ProviderError, InvalidRequest) as failure:
            # Tokens nobody will keep must not stay valid at the app.
            self._revoke_quietly(auth, tokens)
            if isinstance(failure, ProviderUnavailable):
                raise
            return self._outcome(integration, ConsentResult.ERROR, failure.message)
        self._vault.put(integration.tenant_id, integration.id, tokens)
        try:
            integration = self._save_granted(integration, granted)
        except DomainError:
            if not had_tokens:
                self._vault.delete(integration.tenant_id, integration.id)
            self._revoke_quietly(auth, tokens)
            raise
        logger.info("integration connected", extra={"status": integration.status.value})
        if integration.status is IntegrationStatus.CHOOSE_ORGANISATION:
            return self._outcome(integration, ConsentResult.CHOOSE_ORGANISATION)
        return self._outcome(integration, ConsentResult.CONNECTED)

    def _save_granted(self, integration: Integration, granted: list[Organisation]) -> Integration:
        """Save the grant; a concurrent save (e.g. a sync recording its result) is
        re-read and the grant applied again rather than failing the consent."""
        for _attempt in range(3):
            try:
                self._repo.save(integration)
                return integration
            except ConcurrentUpdate:
                integration = self._repo.get(integration.tenant_id, integration.id)
                integration.grant(granted, self._clock.now())
        self._repo.save(integration)
        return integration

    @staticmethod
    def _revoke_quietly(auth: AccountingAuth, tokens: TokenSet) -> None:
        try:
            auth.revoke(tokens)
        except ProviderError:
            logger.warning("could not revoke unused tokens")

    @staticmethod
    def _outcome(
        integration: Integration, result: ConsentResult, message: str | None = None
    ) -> ConsentOutcome:
        logger.info("consent finished", extra={"result": result.value})
        return ConsentOutcome(integration_id=integration.id, result=result, message=message)
