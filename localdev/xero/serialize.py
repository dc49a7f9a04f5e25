"""JSON shapes: Xero's public ones (Connection) and the emulator's read-back views."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from localdev.xero.models import Connection, Grant, Organisation
from localdev.xero.state import EmulatorState


def xero_datetime(moment: datetime) -> str:
    """Identity API style: UTC, no offset, 7 fractional digits (.NET ticks)."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}0"


@overload
def iso(moment: datetime) -> str: ...
@overload
def iso(moment: None) -> None: ...
def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def connection_json(connection: Connection, organisation: Organisation) -> dict[str, Any]:
    return {
        "id": connection.id,
        "authEventId": connection.auth_event_id,
        "tenantId": connection.tenant_id,
        "tenantType": organisation.tenant_type,
        "tenantName": organisation.name,
        "createdDateUtc": xero_datetime(connection.created_at),
        "updatedDateUtc": xero_datetime(connection.updated_at),
    }


def organisation_json(organisation: Organisation) -> dict[str, Any]:
    return {
        "tenantId": organisation.tenant_id,
        "tenantName": organisation.name,
        "tenantType": organisation.tenant_type,
    }


def snapshot(state: EmulatorState) -> dict[str, Any]:
    """Everything a test may want to read back, tokens included (it is an emulator)."""
    with state.lock:
        refresh_by_grant: dict[str, list[dict[str, Any]]] = {}
        for token in state.refresh_tokens.values():
            refresh_by_grant.setdefault(token.auth_event_id, []).append(
                {
                    "token": token.token,
                    "issuedAt": iso(token.issued_at),
                    "firstUsedAt": iso(token.first_used_at),
                }
            )
        access_by_grant: dict[str, list[dict[str, Any]]] = {}
        for token in state.access_tokens.values():
            access_by_grant.setdefault(token.auth_event_id, []).append(
                {"token": token.token, "expiresAt": iso(token.expires_at)}
            )
        return {
            "registeredApp": {
                "clientId": state.registered_app.client_id,
                "redirectUris": list(state.registered_app.redirect_uris),
            },
            "organisations": [organisation_json(o) for o in state.organisations.values()],
            "grants": [
                _grant_json(
                    grant,
                    refresh_by_grant.get(grant.auth_event_id, []),
                    access_by_grant.get(grant.auth_event_id, []),
                )
                for grant in state.grants.values()
            ],
            "connections": [
                {
                    **connection_json(connection, state.organisations[connection.tenant_id]),
                    "active": connection.active,
                }
                for connection in state.connections.values()
            ],
        }


def _grant_json(
    grant: Grant,
    refresh_tokens: list[dict[str, Any]],
    access_tokens: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "authEventId": grant.auth_event_id,
        "clientId": grant.client_id,
        "userId": grant.user_id,
        "scopes": list(grant.scopes),
        "tenantIds": list(grant.tenant_ids),
        "createdAt": iso(grant.created_at),
        "revokedAt": iso(grant.revoked_at),
        "refreshTokens": refresh_tokens,
        "accessTokens": access_tokens,
    }
