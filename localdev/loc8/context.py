"""How blueprints reach the emulator's services: the kit's plus its own, stored on the app."""

from __future__ import annotations

from dataclasses import dataclass

from localdev.emukit import KitServices, current_services
from localdev.loc8.seed import DEMO_TENANT_ID, load_demo
from localdev.loc8.state import EmulatorState


@dataclass(frozen=True)
class Services(KitServices):
    state: EmulatorState
    service_token: str
    seed_demo: bool

    def reset(self) -> None:
        """Back to the start: no tenants (or only a fresh demo), no faults, zero counts."""
        with self.state.lock:
            self.state.reset()
            super().reset()
            if self.seed_demo:
                load_demo(self.state.add_tenant(DEMO_TENANT_ID))


def services() -> Services:
    return current_services(Services)
