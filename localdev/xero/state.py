"""The emulator's in-memory world, guarded by a single re-entrant lock.

Services (oauth.py, and later the Accounting API modules) hold ``state.lock`` for
the whole of one logical operation so concurrent requests see consistent data.
"""

from __future__ import annotations

import threading
import uuid

from localdev.xero.models import (
    AccessToken,
    AuthorizationCode,
    Connection,
    Grant,
    Organisation,
    RefreshToken,
    RegisteredApp,
    User,
)

DEMO_TENANT_ID = "9d3a4f8e-6a1b-4c2e-8f47-3b5d1e2c7a90"
DEMO_ORGANISATION_NAME = "Demo Company (AU)"
DEMO_USER = User(
    user_id="4f0b2c1d-7e3a-4b6f-9c8d-1a2b3c4d5e6f",
    email="demo.user@example.com",
    given_name="Demo",
    family_name="User",
    global_session_id="c6a8e2f4-0b1d-4e3f-8a5c-7d9e1f2a3b4c",
)


class EmulatorState:
    def __init__(self, registered_app: RegisteredApp, user: User = DEMO_USER) -> None:
        self.lock = threading.RLock()
        self.registered_app = registered_app
        self.user = user
        self.organisations: dict[str, Organisation] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.connections: dict[str, Connection] = {}
        self.reset()

    def reset(self) -> None:
        """Back to a fresh emulator: only the demo organisation, no consents or tokens."""
        with self.lock:
            self.organisations.clear()
            self.codes.clear()
            self.grants.clear()
            self.refresh_tokens.clear()
            self.access_tokens.clear()
            self.connections.clear()
            self.add_organisation(DEMO_ORGANISATION_NAME, tenant_id=DEMO_TENANT_ID)

    def add_organisation(
        self,
        name: str,
        *,
        tenant_id: str | None = None,
        tenant_type: str = "ORGANISATION",
    ) -> Organisation:
        name = name.strip()
        if not name:
            raise ValueError("organisation name must not be empty")
        tenant_id = str(uuid.UUID(tenant_id)) if tenant_id else str(uuid.uuid4())
        with self.lock:
            if tenant_id in self.organisations:
                raise ValueError(f"organisation {tenant_id} already exists")
            organisation = Organisation(tenant_id=tenant_id, name=name, tenant_type=tenant_type)
            self.organisations[tenant_id] = organisation
            return organisation

    def organisation(self, tenant_id: str) -> Organisation | None:
        with self.lock:
            return self.organisations.get(tenant_id)
