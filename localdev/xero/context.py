"""How blueprints reach the emulator's services: one object stored on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from localdev.xero.accounting.idempotency import IdempotencyStore
from localdev.xero.accounting.limits import RateLimiter
from localdev.xero.accounting.tenancy import books_of
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
    limits: RateLimiter
    idempotency: IdempotencyStore

    def attach(self, app: Flask) -> None:
        app.extensions[_EXTENSION_KEY] = self

    def reset(self) -> None:
        """Demo organisation only (its books rebuilt on first use), no consents/tokens,
        no faults, zero counts, rate limits and idempotency keys forgotten, clock offset 0."""
        self.state.reset()
        self.faults.clear()
        self.calls.clear()
        self.limits.reset()
        self.idempotency.clear()
        self.clock.reset()
        self.set_up_books()

    def set_up_books(self) -> None:
        """Build every organisation's books now, so their records date from the start
        (an If-Modified-Since taken later does not report the demo data)."""
        for organisation in list(self.state.organisations.values()):
            books_of(self.state, self.clock, organisation)


def services() -> Services:
    return current_app.extensions[_EXTENSION_KEY]
