"""OAuth consent: the app's consent URL, the callback that parks the grant, and the finish.

Whoever completes the app's consent page reaches the callback, so the callback only
parks what the app granted; the grant is bound to the integration only when the Loc8
user who started connecting (same tenant, same user) finishes it with their own token.
A victim lured to someone else's consent URL can therefore never connect their
organisation to the other tenant (RFC 9700 §4.7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import (
    ConcurrentUpdate,
    DomainError,
    InvalidOAuthState,
    InvalidRequest,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from chalicelib.domain.integration import Integration, IntegrationStatus, Organisation
from chalicelib.domain.oauth_state import StateSigner, pkce_challenge
from chalicelib.domain.parked_grant import HANDLE_GONE, GrantSealer, ParkedGrant
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

# Apps send codes of tens of characters; a bound keeps what is parked small whatever arrives.
MAX_CODE_LENGTH = 2048
# Company and file ids apps put in their callbacks (a realm number, a GUID) fit this.
ORGANISATION_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NOT_THE_INITIATOR = (
    "Only the Loc8 user who started connecting can finish it; nothing was connected. "
    "Start connecting again from Settings > Integrations."
)


class ConsentResult(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    ERROR = "error"


@dataclass(frozen=True)
class ConsentOutcome:
    integration_id: str
    result: ConsentResult
    message: str | None = None
    handle: str | None = None


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
        self._sealer = GrantSealer(signer.derived_key("parked-grant"))
        self._vault = vault
        self._auths = auths
        self._clock = clock

    def begin(self, integration: Integration, initiator: str) -> str:
        """A fresh consent URL for the integration, valid once for ten minutes; only
        `initiator` (the Loc8 user id asking) will be able to finish it."""
        integration.ensure_can_authorise()
        auth = self._auths.auth_for(integration.app)
        state = self._signer.issue(
            integration.tenant_id,
            integration.id,
            integration.app,
            self._clock.now(),
            initiator=initiator,
        )
        self._states.remember(state)
        challenge = pkce_challenge(self._signer.pkce_verifier(state.nonce))
        return auth.authorization_url(self._signer.sign(state), challenge)

    def receive(
        self,
        app: str,
        state_token: str | None,
        code: str | None,
        error: str | None,
        callback: Mapping[str, str] | None = None,
    ) -> ConsentOutcome:
        """The app's callback: park a granted code, and the organisation the callback
        names (`callback` is its whole query), under a fresh completion handle."""
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
        if len(code) > MAX_CODE_LENGTH:
            raise InvalidRequest("The authorisation code is longer than any app sends.")
        named = self._auths.auth_for(app).organisation_named_in(callback or {})
        if named is not None and not ORGANISATION_ID.fullmatch(named):
            raise InvalidRequest("The callback names an organisation id no app sends.")
        handle, parked = self._sealer.park(state, code, self._clock.now(), named)
        self._states.park(parked)
        logger.info("consent parked for its initiator")
        return ConsentOutcome(
            integration_id=integration.id, result=ConsentResult.GRANTED, handle=handle
        )

    def finish(self, tenant_id: str, user_id: str, integration_id: str, handle: str) -> Integration:
        """Bind the parked grant: only for the tenant, user and integration that started it.

        Anyone else is refused and the grant is discarded unused; nothing is stored.
        """
        key = self._sealer.key_of(handle)
        parked = self._states.take_parked(key, self._clock.now())
        if parked is None:
            raise InvalidOAuthState(HANDLE_GONE)
        logger.append_keys(integration_id=parked.integration_id)
        if not self._started_by(parked, tenant_id, user_id, integration_id):
            self._states.discard_parked(key)
            logger.warning("consent finish refused: not the user who started it")
            raise NotAllowed(NOT_THE_INITIATOR)
        code = self._sealer.code_of(handle, parked)
        try:
            integration = self._repo.get(tenant_id, integration_id)
            if integration.status is IntegrationStatus.DISCONNECTED:
                raise InvalidTransition("The integration was removed; add the app again.")
        except DomainError:
            self._states.discard_parked(key)
            raise
        auth = self._auths.auth_for(parked.app)
        try:
            tokens = auth.exchange_code(code, self._signer.pkce_verifier(parked.state_nonce))
        except ProviderUnavailable:
            # The app never consumed the code, so the same finish may be retried.
            self._states.return_parked(key)
            raise
        except ProviderRejected as rejected:
            self._states.discard_parked(key)
            raise InvalidRequest(rejected.message) from rejected
        self._states.discard_parked(key)
        return self._connect(integration, auth, tokens, parked.named_organisation)

    def _started_by(
        self, parked: ParkedGrant, tenant_id: str, user_id: str, integration_id: str
    ) -> bool:
        return (
            parked.tenant_id == tenant_id
            and parked.integration_id == integration_id
            and self._signer.is_initiator(parked.initiator_digest, user_id)
        )

    def _connect(
        self,
        integration: Integration,
        auth: AccountingAuth,
        tokens: TokenSet,
        named_organisation: str | None,
    ) -> Integration:
        had_tokens = integration.has_tokens
        try:
            granted = auth.granted_organisations(tokens, named_organisation)
            integration.grant(granted, self._clock.now())
        except (ProviderError, InvalidRequest):
            # Tokens nobody will keep must not stay valid at the app.
            self._revoke_quietly(auth, tokens)
            raise
        self._vault.put(integration.tenant_id, integration.id, tokens)
        try:
            integration = self._save_granted(integration, granted)
        except DomainError:
            if not had_tokens:
                self._vault.delete(integration.tenant_id, integration.id)
            self._revoke_quietly(auth, tokens)
            raise
        logger.info("integration connected", extra={"status": integration.status.value})
        return integration

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
