"""An integration between one Loc8 tenant and one accounting app, and its lifecycle.

Every status change goes through a method here so the allowed transitions live in
one table; services never assign `status` directly.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from chalicelib.domain.errors import InvalidRequest, InvalidTransition


class IntegrationStatus(StrEnum):
    PENDING_AUTHORISATION = "PENDING_AUTHORISATION"
    CHOOSE_ORGANISATION = "CHOOSE_ORGANISATION"
    AUTHORISED = "AUTHORISED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    NEEDS_RECONNECT = "NEEDS_RECONNECT"
    DISCONNECTED = "DISCONNECTED"


S = IntegrationStatus
CONNECTED_STATUSES = frozenset({S.CHOOSE_ORGANISATION, S.AUTHORISED, S.ACTIVE, S.PAUSED})

ALLOWED_TRANSITIONS: dict[IntegrationStatus, frozenset[IntegrationStatus]] = {
    S.PENDING_AUTHORISATION: frozenset({S.CHOOSE_ORGANISATION, S.AUTHORISED, S.DISCONNECTED}),
    S.CHOOSE_ORGANISATION: frozenset(
        {S.CHOOSE_ORGANISATION, S.AUTHORISED, S.NEEDS_RECONNECT, S.DISCONNECTED}
    ),
    S.AUTHORISED: frozenset({S.AUTHORISED, S.ACTIVE, S.NEEDS_RECONNECT, S.DISCONNECTED}),
    S.ACTIVE: frozenset({S.ACTIVE, S.PAUSED, S.NEEDS_RECONNECT, S.DISCONNECTED}),
    S.PAUSED: frozenset({S.PAUSED, S.ACTIVE, S.NEEDS_RECONNECT, S.DISCONNECTED}),
    S.NEEDS_RECONNECT: frozenset({S.AUTHORISED, S.ACTIVE, S.PAUSED, S.DISCONNECTED}),
    S.DISCONNECTED: frozenset(),
}


class Organisation(BaseModel):
    """An organisation in the app: one set of books (a tenant, realm or company file)."""

    id: str
    name: str
    connection_id: str | None = None


class Attention(BaseModel):
    code: str
    message: str


def new_integration_id() -> str:
    return f"int_{secrets.token_hex(10)}"


class Integration(BaseModel):
    id: str = Field(default_factory=new_integration_id)
    tenant_id: str
    app: str
    status: IntegrationStatus = S.PENDING_AUTHORISATION
    organisation: Organisation | None = None
    organisations: list[Organisation] = Field(default_factory=list)
    config: dict[str, Any] | None = None
    config_version: int = 0
    last_sync: dict[str, Any] | None = None
    attention: Attention | None = None
    has_tokens: bool = False
    created_at: AwareDatetime
    updated_at: AwareDatetime
    revision: int = 0

    def _move_to(self, target: IntegrationStatus, now: datetime) -> None:
        if target not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"The integration is {self.status.value}; it cannot become {target.value}."
            )
        self.status = target
        self.updated_at = now

    def ensure_can_authorise(self) -> None:
        if self.status is S.DISCONNECTED:
            raise InvalidTransition(
                "The integration is disconnected; add the app again to reconnect."
            )

    def grant(self, granted: list[Organisation], now: datetime) -> None:
        """Record the organisations a completed consent gave access to.

        A reconnect keeps the organisation already bound, so existing record links
        stay valid; a first connect binds directly when only one was granted.
        """
        if not granted:
            raise InvalidRequest("No organisation was granted.")
        self.ensure_can_authorise()
        bound = self.organisation
        match = next((org for org in granted if bound and org.id == bound.id), None)
        if bound is not None and match is None:
            raise InvalidRequest(
                f"This integration is connected to {bound.name}; "
                "grant access to that organisation to reconnect."
            )
        self.has_tokens = True
        self.attention = None
        if match is not None:
            self.organisation = match
            self.organisations = []
            self._move_to(self._status_after_reconnect(), now)
            return
        if len(granted) == 1:
            self.organisation = granted[0]
            self.organisations = []
            self._move_to(S.AUTHORISED, now)
            return
        self.organisations = list(granted)
        self._move_to(S.CHOOSE_ORGANISATION, now)

    def _status_after_reconnect(self) -> IntegrationStatus:
        if self.status is S.PAUSED:
            return S.PAUSED
        return S.ACTIVE if self.config is not None else S.AUTHORISED

    def choose_organisation(self, organisation_id: str, now: datetime) -> Organisation:
        if self.status is not S.CHOOSE_ORGANISATION:
            raise InvalidTransition(
                f"The integration is {self.status.value}; an organisation can only be "
                "chosen while it is CHOOSE_ORGANISATION."
            )
        chosen = next((org for org in self.organisations if org.id == organisation_id), None)
        if chosen is None:
            raise InvalidRequest(f"Organisation {organisation_id!r} was not among those granted.")
        self.organisation = chosen
        self.organisations = []
        self._move_to(S.AUTHORISED, now)
        return chosen

    @property
    def is_configurable(self) -> bool:
        return self.status in (S.AUTHORISED, S.ACTIVE, S.PAUSED)

    def ensure_configurable(self) -> None:
        if not self.is_configurable:
            raise InvalidTransition(
                f"The integration is {self.status.value}; it must be connected to an "
                "organisation (AUTHORISED, ACTIVE or PAUSED) first."
            )

    def apply_config(self, config: dict[str, Any], now: datetime) -> bool:
        """Store a new config version; True when this save activates the integration."""
        self.ensure_configurable()
        first = self.status is S.AUTHORISED
        self.config = config
        self.config_version += 1
        if first:
            self._move_to(S.ACTIVE, now)
        else:
            self.updated_at = now
        return first

    def pause(self, now: datetime) -> None:
        if self.status is not S.PAUSED:
            self._require(S.ACTIVE, "paused")
            self._move_to(S.PAUSED, now)

    def resume(self, now: datetime) -> None:
        if self.status is not S.ACTIVE:
            self._require(S.PAUSED, "resumed")
            self._move_to(S.ACTIVE, now)

    def _require(self, expected: IntegrationStatus, verb: str) -> None:
        if self.status is not expected:
            raise InvalidTransition(
                f"The integration is {self.status.value}; only an {expected.value} "
                f"integration can be {verb}."
            )

    def require_reconnect(self, message: str, now: datetime) -> None:
        self._move_to(S.NEEDS_RECONNECT, now)
        self.attention = Attention(code="NEEDS_RECONNECT", message=message)

    def disconnect(self, now: datetime) -> None:
        self._move_to(S.DISCONNECTED, now)
        self.has_tokens = False
        self.organisations = []
        self.attention = None
