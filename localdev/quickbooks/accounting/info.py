"""CompanyInfo: the company's own record (read with GET /companyinfo/{realmId})."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localdev.quickbooks.accounting import writes
from localdev.quickbooks.accounting.books import Record
from localdev.quickbooks.accounting.schema import COMPANY_INFO_KINDS

if TYPE_CHECKING:
    from localdev.quickbooks.accounting.companies import CompanyInfo

FISCAL_YEAR_START = {"AU": "July", "GB": "April", "CA": "January", "US": "January"}


def company_info_record(info: CompanyInfo) -> Record:
    return {
        "CompanyName": info.name,
        "LegalName": info.name,
        "CompanyAddr": {"Country": info.locale.country},
        "CustomerCommunicationAddr": {"Country": info.locale.country},
        "CompanyStartDate": "2026-01-01",
        "FiscalYearStartMonth": FISCAL_YEAR_START[info.locale.country],
        "Country": info.locale.country,
        "Email": {"Address": "accounts@example.com"},
        "SupportedLanguages": "en",
        "DefaultTimeZone": info.timezone,
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Plumbing"},
            {"Name": "SubscriptionStatus", "Value": "PAID"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        ],
    }


# Read-only here: the emulator has no company settings to change.
COMPANY_INFO = writes.EntityKind(
    name="CompanyInfo", kinds=COMPANY_INFO_KINDS, read_only=frozenset(), build=None
)
