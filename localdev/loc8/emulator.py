"""Loc8Emulator: the Python handle on one emulated Loc8 core."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from flask import Flask

from localdev.emukit import Clock, EmulatorKit
from localdev.loc8.app import create_app
from localdev.loc8.auth import DEFAULT_SERVICE_TOKEN
from localdev.loc8.context import Services
from localdev.loc8.problems import Loc8ErrorBodies
from localdev.loc8.schemas import InvoiceIn, validated
from localdev.loc8.seed import DEMO_TENANT_ID, load_demo
from localdev.loc8.serialize import invoice_json, timestamp
from localdev.loc8.state import EmulatorState
from localdev.loc8.tenant import TenantState


class Loc8Emulator:
    """An in-process Loc8 core (the service API in docs/loc8-core-api.yaml).

    ``app`` is the WSGI app (serve it with ``localdev.emukit.serve_in_thread``); the
    other attributes are the controls the HTTP ``/_emulator/*`` endpoints expose too.
    """

    def __init__(
        self,
        service_token: str = DEFAULT_SERVICE_TOKEN,
        *,
        clock: Clock | None = None,
        seed_demo: bool = False,
    ) -> None:
        if not service_token:
            raise ValueError("a service token is required")
        self._kit = EmulatorKit(Loc8ErrorBodies(), timestamp, clock=clock or Clock())
        self.clock = self._kit.clock
        self.faults = self._kit.faults
        self.state = EmulatorState(self.clock)
        self._services = Services(
            state=self.state,
            kit=self._kit,
            service_token=service_token,
            seed_demo=seed_demo,
        )
        self.app: Flask = create_app(self._services)
        if seed_demo:
            self.seed_demo()

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, seed_demo: bool = False
    ) -> Loc8Emulator:
        """The service token from LOC8_API_SECRET (the same variable the service reads)."""
        env = os.environ if environ is None else environ
        return cls(env.get("LOC8_API_SECRET") or DEFAULT_SERVICE_TOKEN, seed_demo=seed_demo)

    @property
    def calls(self) -> Counter[str]:
        """Requests received per "METHOD /path-template" (a copy; missing keys read as 0)."""
        return self._kit.calls.snapshot()

    def add_tenant(self, tenant_id: str) -> TenantState:
        """A new, empty tenant (replacing one of the same id)."""
        return self.state.add_tenant(tenant_id)

    def seed_demo(self, tenant_id: str = DEMO_TENANT_ID) -> TenantState:
        """A fresh tenant holding the demo business (localdev/loc8/seed.py)."""
        with self.state.lock:
            tenant = self.state.add_tenant(tenant_id)
            load_demo(tenant)
            return tenant

    def tenant(self, tenant_id: str) -> TenantState:
        """Direct access, acting as Loc8 core's own users: create, edit, inspect records."""
        return self.state.tenant(tenant_id)

    def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """The same read-back as GET /_emulator/tenants/{tenant_id}."""
        return self.state.tenant(tenant_id).snapshot()

    def add_invoice(self, tenant_id: str, invoice: InvoiceIn | Mapping[str, Any]) -> dict[str, Any]:
        """Create an invoice as a Loc8 user would; returns it as the API shows it."""
        tenant = self.state.tenant(tenant_id)
        return invoice_json(tenant.add_invoice(validated(InvoiceIn, invoice)))

    def reset(self) -> None:
        """No tenants (or a fresh demo tenant if built with seed_demo), no faults, zero
        counts, clock offset 0."""
        self._services.reset()
