"""How blueprints reach the emulator's services: one object stored on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from localdev.emukit import Clock, EmulatorKit
from localdev.loc8.seed import DEMO_TENANT_ID, load_demo
from localdev.loc8.state import EmulatorState

_EXTENSION_KEY = "localdev.loc8"


@dataclass(frozen=True)
class Services:
    state: EmulatorState
    kit: EmulatorKit
    service_token: str
    seed_demo: bool

    @property
    def clock(self) -> Clock:
        return self.kit.clock

    def attach(self, app: Flask) -> None:
        app.extensions[_EXTENSION_KEY] = self
        self.kit.attach(app, self.reset)

    def reset(self) -> None:
        """Back to the start: no tenants (or only a fresh demo), no faults, zero counts."""
        with self.state.lock:
            self.state.reset()
            self.kit.reset_shared()
            if self.seed_demo:
                load_demo(self.state.add_tenant(DEMO_TENANT_ID))


def services() -> Services:
    return current_app.extensions[_EXTENSION_KEY]
