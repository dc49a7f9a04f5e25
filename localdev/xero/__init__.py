"""Local stand-in for Xero: identity (login/identity/connections) and the Accounting API."""

from localdev.emukit import Clock, Fault, FaultRegistry
from localdev.xero.accounting.limits import RateLimits
from localdev.xero.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    XeroEmulator,
)
from localdev.xero.models import Connection, Grant, Organisation, RegisteredApp
from localdev.xero.state import DEMO_ORGANISATION_NAME, DEMO_TENANT_ID

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URI",
    "DEMO_ORGANISATION_NAME",
    "DEMO_TENANT_ID",
    "Clock",
    "Connection",
    "Fault",
    "FaultRegistry",
    "Grant",
    "Organisation",
    "RateLimits",
    "RegisteredApp",
    "XeroEmulator",
]
