"""How blueprints reach the emulator's services: the kit's plus its own, stored on the app."""

from __future__ import annotations

from dataclasses import dataclass

from localdev.emukit import KitServices, current_services
from localdev.xero.accounting.idempotency import XeroIdempotency
from localdev.xero.accounting.limits import RateLimiter
from localdev.xero.accounting.tenancy import books_of
from localdev.xero.oauth import OAuthService
from localdev.xero.state import EmulatorState


@dataclass(frozen=True)
class Services(KitServices):
    state: EmulatorState
    oauth: OAuthService
    limits: RateLimiter
    idempotency: XeroIdempotency

    def reset(self) -> None:
        """Demo organisation only (its books rebuilt on first use), no consents/tokens,
        no faults, zero counts, rate limits and idempotency keys forgotten, clock offset 0."""
        self.state.reset()
        super().reset()
        self.limits.reset()
        self.idempotency.clear()
        self.set_up_books()

    def set_up_books(self) -> None:
        """Build every organisation's books now, so their records date from the start
        (an If-Modified-Since taken later does not report the demo data)."""
        for organisation in list(self.state.organisations.values()):
            books_of(self.state, self.clock, organisation)


def services() -> Services:
    return current_services(Services)
