"""EmulatorKit: the parts every emulator shares; KitServices: how a request reaches them
(and the emulator's own services) through the Flask app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

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
class KitServices:
    """What an emulator's requests reach: the kit, plus the fields a subclass adds
    (its state, limits...). One object per app, stored on the Flask app."""

    kit: EmulatorKit

    @property
    def clock(self) -> Clock:
        return self.kit.clock

    def attach(self, app: Flask) -> None:
        app.extensions[_EXTENSION_KEY] = self

    def reset(self) -> None:
        """Back to the start. A subclass resets its own state, then calls this."""
        self.kit.reset_shared()


S = TypeVar("S", bound=KitServices)


def current_services(kind: type[S]) -> S:
    """The services of the app handling the current request."""
    found = current_app.extensions[_EXTENSION_KEY]
    if not isinstance(found, kind):
        raise TypeError(f"this app's services are {type(found).__name__}, not {kind.__name__}")
    return found
