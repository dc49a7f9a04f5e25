"""How blueprints reach the emulator's services: the kit's plus its own, stored on the app."""

from __future__ import annotations

from dataclasses import dataclass

from localdev.emukit import KitServices, current_services
from localdev.quickbooks.accounting.companies import Companies
from localdev.quickbooks.accounting.limits import RateLimiter
from localdev.quickbooks.accounting.requestids import RequestIds
from localdev.quickbooks.oauth import OAuthService
from localdev.quickbooks.state import EmulatorState


@dataclass(frozen=True)
class Services(KitServices):
    state: EmulatorState
    oauth: OAuthService
    companies: Companies
    limits: RateLimiter
    requestids: RequestIds

    def reset(self) -> None:
        """The demo company only (its books rebuilt), no consents or tokens, no faults,
        zero counts, rate windows and remembered requestids forgotten, clock offset 0."""
        self.state.reset()
        super().reset()
        self.limits.reset()
        self.requestids.clear()
        # After the clock, so the demo company's records date from the reset.
        self.companies.reset()


def services() -> Services:
    return current_services(Services)
