"""The emulator kit: what every local stand-in for an outside service shares.

An emulator built on it supplies an app factory, its resources and its `ErrorBodies`;
the kit gives the clock, call counts, fault injection (with releasable waits), rolling
rate-limit windows, the idempotency store, the `/_emulator/` controls and serving.
See localdev/README.md, "The emulator kit".
"""

from localdev.emukit.calls import CONTROL_PREFIX, CallCounter, route_template, to_template
from localdev.emukit.clock import Clock
from localdev.emukit.controls import control_blueprint, json_object
from localdev.emukit.errors import ErrorBodies, status_phrase
from localdev.emukit.faults import Fault, FaultRegistry
from localdev.emukit.idempotency import (
    KEY_HEADER,
    IdempotencyStore,
    KeyReused,
    canonical_json,
    every_answer,
    fingerprint,
    successes_only,
)
from localdev.emukit.kit import EmulatorKit, KitServices, current_services
from localdev.emukit.serving import (
    RunningServer,
    public_url,
    serve_in_thread,
    serve_until_interrupted,
)
from localdev.emukit.windows import DAY, MINUTE, RollingWindow

__all__ = [
    "CONTROL_PREFIX",
    "DAY",
    "KEY_HEADER",
    "MINUTE",
    "CallCounter",
    "Clock",
    "EmulatorKit",
    "ErrorBodies",
    "Fault",
    "FaultRegistry",
    "IdempotencyStore",
    "KeyReused",
    "KitServices",
    "RollingWindow",
    "RunningServer",
    "canonical_json",
    "control_blueprint",
    "current_services",
    "every_answer",
    "fingerprint",
    "json_object",
    "public_url",
    "route_template",
    "serve_in_thread",
    "serve_until_interrupted",
    "status_phrase",
    "successes_only",
    "to_template",
]
