"""Local stand-in for QuickBooks Online: Intuit's OAuth 2.0 and the Accounting API v3."""

from localdev.emukit import Clock, Fault, FaultRegistry
from localdev.quickbooks.accounting.companies import (
    DEMO_COMPANY_NAME,
    DEMO_REALM_ID,
    CompanyInfo,
)
from localdev.quickbooks.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    QuickBooksEmulator,
)
from localdev.quickbooks.models import Grant, RegisteredApp

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URI",
    "DEMO_COMPANY_NAME",
    "DEMO_REALM_ID",
    "Clock",
    "CompanyInfo",
    "Fault",
    "FaultRegistry",
    "Grant",
    "QuickBooksEmulator",
    "RegisteredApp",
]
