"""How blueprints reach the emulator's services: one object stored on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from localdev.loc8.seed import DEMO_TENANT_ID, load_demo
from localdev.loc8.state import EmulatorState
from localdev.xero.calls import CallCounter
from localdev.xero.clock import Clock
from localdev.xero.faults import FaultRegistry

_EXTENSION_KEY = "localdev.loc8"


@dataclass(frozen=True)
class Services:
    state: EmulatorState
    clock: Clock
    faults: FaultRegistry
    calls: CallCounter
    service_token: str
    seed_demo: bool

    def attach(self, app: Flask) -> None:
        app.extensions[_EXTENSION_KEY] = self

    def reset(self) -> None:
        """Back to the start: no tenants (or only a fresh demo), no faults, zero counts."""
        with self.state.lock:
            self.state.reset()
            self.faults.clear()
            self.calls.clear()
            self.clock.reset()
            if self.seed_demo:
                load_demo(self.state.add_tenant(DEMO_TENANT_ID))


def services() -> Services:
    return current_app.extensions[_EXTENSION_KEY]
