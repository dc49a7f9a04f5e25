"""Kept for existing importers: serving lives in the emulator kit (localdev.emukit)."""

from localdev.emukit.serving import RunningServer, serve_in_thread

__all__ = ["RunningServer", "serve_in_thread"]
