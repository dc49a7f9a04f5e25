"""Local stand-in for MYOB Business: secure.myob.com's OAuth (consent with company-file
choice, rotating tokens) and the AccountRight API for online company files."""

from localdev.myob.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    MyobEmulator,
)
from localdev.myob.limits import MyobLimits
from localdev.myob.state import DEMO_COMPANY_FILE_ID, DEMO_COMPANY_FILE_NAME

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URI",
    "DEMO_COMPANY_FILE_ID",
    "DEMO_COMPANY_FILE_NAME",
    "MyobEmulator",
    "MyobLimits",
]
