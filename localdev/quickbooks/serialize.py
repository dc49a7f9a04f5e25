"""The emulator's read-back views of the identity side (tokens included: it is an emulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from localdev.quickbooks.accounting.companies import CompanyInfo
from localdev.quickbooks.state import EmulatorState


@overload
def iso(moment: datetime) -> str: ...
@overload
def iso(moment: None) -> None: ...
def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def company_json(company: CompanyInfo) -> dict[str, Any]:
    return {"realmId": company.realm_id, "name": company.name, "country": company.country}


def snapshot(state: EmulatorState) -> dict[str, Any]:
    """Every grant with its tokens, newest last."""
    with state.lock:
        grants = []
        for grant in state.grants.values():
            grants.append(
                {
                    "grantId": grant.grant_id,
                    "realmId": grant.realm_id,
                    "scopes": list(grant.scopes),
                    "createdAt": iso(grant.created_at),
                    "revokedAt": iso(grant.revoked_at),
                    "accessTokens": [
                        {
                            "token": token.token,
                            "issuedAt": iso(token.issued_at),
                            "expiresAt": iso(token.expires_at),
                        }
                        for token in state.access_tokens.values()
                        if token.grant_id == grant.grant_id
                    ],
                    "refreshTokens": [
                        {
                            "token": token.token,
                            "issuedAt": iso(token.issued_at),
                            "expiresAt": iso(token.expires_at),
                            "usedAt": iso(token.used_at),
                        }
                        for token in state.refresh_tokens.values()
                        if token.grant_id == grant.grant_id
                    ],
                }
            )
        return {"registeredApp": {"clientId": state.registered_app.client_id}, "grants": grants}
