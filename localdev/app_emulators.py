"""The accounting apps' emulators the local stack runs: one entry per emulator package.

Besides each emulator's own package, this is the one place under `localdev/` that
names an app.
"""

from __future__ import annotations

from localdev.myob.stack_entry import STACK_ENTRY as MYOB
from localdev.quickbooks.stack_entry import STACK_ENTRY as QUICKBOOKS
from localdev.stack_parts import AppEmulatorEntry
from localdev.xero.stack_entry import STACK_ENTRY as XERO

APP_EMULATORS: tuple[AppEmulatorEntry, ...] = (XERO, QUICKBOOKS, MYOB)
