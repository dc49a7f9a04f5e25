"""EmulatorKit: the parts every emulator shares, bundled and attached to its Flask app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from localdev.emukit.calls import CallCounter, count_calls
from localdev.emukit.clock import Clock
from localdev.emukit.errors import ErrorBodies
from localdev.emukit.faults import FaultRegistry, inject_faults

_EXTENSION_KEY = "localdev.emukit"


@dataclass
class EmulatorKit:
    """One emulated service's clock, call counts and faults, and how it words errors.

    ``timestamp`` writes the clock's time in the service's own format, so the
    `/_emulator/clock` control reads like the rest of that emulator's answers.
    """

    errors: ErrorBodies
    timestamp: Callable[[datetime], str]
    clock: Clock = field(default_factory=Clock)
    calls: CallCounter = field(default_factory=CallCounter)
    faults: FaultRegistry = field(default_factory=FaultRegistry)

    def attach(self, app: Flask, reset: Callable[[], None]) -> None:
        """Make the kit reachable from the app's requests; ``reset`` is the emulator's
        whole reset (it calls `reset_shared` for the kit's part)."""
        app.extensions[_EXTENSION_KEY] = _Attached(self, reset)

    def count_calls(self, app: Flask) -> None:
        count_calls(app, self.calls)

    def inject_faults(self, app: Flask) -> None:
        inject_faults(app, self.faults, self.errors)

    def reset_shared(self) -> None:
        """No faults (held requests released), zero counts, clock offset 0."""
        self.faults.clear()
        self.calls.clear()
        self.clock.reset()

    def clock_json(self) -> dict[str, Any]:
        return {
            "now": self.timestamp(self.clock.now()),
            "offset_seconds": self.clock.offset_seconds,
        }


@dataclass(frozen=True)
class _Attached:
    kit: EmulatorKit
    reset: Callable[[], None]


def attached() -> _Attached:
    return current_app.extensions[_EXTENSION_KEY]
