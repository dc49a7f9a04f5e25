"""The emulator's tenants, under one re-entrant lock shared by every tenant."""

from __future__ import annotations

import threading

from localdev.emukit import Clock
from localdev.loc8.problems import not_found
from localdev.loc8.tenant import TenantState


class EmulatorState:
    def __init__(self, clock: Clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.tenants: dict[str, TenantState] = {}

    def tenant(self, tenant_id: str) -> TenantState:
        """The tenant, or a 404 Problem: Loc8 core knows its tenants, it does not invent them."""
        with self.lock:
            found = self.tenants.get(tenant_id)
            if found is None:
                raise not_found("tenant", tenant_id)
            return found

    def add_tenant(self, tenant_id: str) -> TenantState:
        """A new, empty tenant; an existing one of that id is replaced."""
        tenant_id = tenant_id.strip()
        if not tenant_id or "/" in tenant_id:
            raise ValueError("tenant id must be non-empty and contain no '/'")
        with self.lock:
            tenant = TenantState(tenant_id, self.clock, self.lock)
            self.tenants[tenant_id] = tenant
            return tenant

    def reset(self) -> None:
        with self.lock:
            self.tenants.clear()
