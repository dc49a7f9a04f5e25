"""How blueprints reach the emulator's services: the kit's plus MYOB's, stored on the app."""

from __future__ import annotations

from dataclasses import dataclass

from localdev.emukit import KitServices, current_services
from localdev.myob.limits import RateLimiter
from localdev.myob.oauth import OAuthService
from localdev.myob.state import CompanyFiles


@dataclass(frozen=True)
class Services(KitServices):
    oauth: OAuthService
    files: CompanyFiles
    limits: RateLimiter

    def reset(self) -> None:
        """The demo company file only (rebuilt), no consents or tokens, limits forgotten,
        no faults, zero counts, clock offset 0."""
        self.oauth.reset()
        self.files.reset()
        self.limits.reset()
        super().reset()


def services() -> Services:
    return current_services(Services)
