"""How blueprints reach the emulator's services: one object stored on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from localdev.xero.calls import CallCounter
from localdev.xero.clock import Clock
from localdev.xero.faults import FaultRegistry
from localdev.xero.oauth import OAuthService
from localdev.xero.state import EmulatorState

_EXTENSION_KEY = "localdev.xero"


@dataclass(frozen=True)
class Services:
    state: EmulatorState
    clock: Clock
    oauth: OAuthService
    faults: FaultRegistry
    calls: CallCounter

    def attach(self, app: Flask) -> None:
        app.extensions[_EXTENSION_KEY] = self

    def reset(self) -> None:
        """Demo organisation only, no consents/tokens, no faults, zero counts, clock offset 0."""
        self.state.reset()
        self.faults.clear()
        self.calls.clear()
        self.clock.reset()


def services() -> Services:
    return current_app.extensions[_EXTENSION_KEY]
