"""The identity side's mutable state, shared by every request under one lock."""

from __future__ import annotations

import threading

from localdev.quickbooks.models import (
    AccessToken,
    AuthorizationCode,
    Grant,
    RefreshToken,
    RegisteredApp,
    User,
)

DEMO_USER = User(
    user_id="b5c6a1e0-7d1f-4a8e-9a63-0c2d5f3e8b41",
    email="admin@loc8-demo-plumbing.example",
    given_name="Dana",
    family_name="Nguyen",
    phone_number="+61 2 5550 0100",
)


class EmulatorState:
    """Codes, grants and tokens of the registered app. The companies and their books
    belong to the accounting side (`Companies`)."""

    def __init__(self, registered_app: RegisteredApp) -> None:
        self.registered_app = registered_app
        self.user = DEMO_USER
        # Reentrant: a service method holding it may call another that takes it too.
        self.lock = threading.RLock()
        self.codes: dict[str, AuthorizationCode] = {}
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}

    def reset(self) -> None:
        """No codes, grants or tokens: every earlier consent is forgotten."""
        with self.lock:
            self.codes.clear()
            self.grants.clear()
            self.access_tokens.clear()
            self.refresh_tokens.clear()
