"""What the local stack needs to know to run one accounting app's emulator.

Each emulator package under `localdev/` declares one `AppEmulatorEntry` in its
`stack_entry.py`; `localdev.app_emulators` lists them, and the stack starts each one
and points the service at it without knowing any app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AppEmulatorEntry:
    # The app's catalogue key (`chalicelib.domain.apps`).
    key: str
    # How `make run` names it to a developer.
    title: str
    port_variable: str
    default_port: int
    # Run as `python -m <module> --host H --port P`.
    module: str
    # A GET that answers once the emulator serves.
    ready_path: str
    # (emulator URL, API URL) -> the variables both the emulator (its registered client
    # and redirect) and the service (its provider settings) read.
    env: Callable[[str, str], dict[str, str]]
    # Lines `make run` prints about it (what a developer opens or points a client at).
    banner: Callable[[str], list[str]]
