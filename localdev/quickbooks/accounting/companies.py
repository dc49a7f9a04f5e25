"""The QuickBooks companies (realms) the emulator holds, each with its own books.

`Companies.reset()` goes back to the seeded AU demo company only; tests add more with
`add()`. A realm id is what QuickBooks calls the company id: a long decimal string.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from localdev.emukit import Clock
from localdev.quickbooks.accounting.books import Books
from localdev.quickbooks.accounting.demo import load_chart, load_company_info, load_demo
from localdev.quickbooks.accounting.locales import LOCALES, Locale

DEMO_REALM_ID = "9341453050000001"
DEMO_COMPANY_NAME = "Loc8 Demo Plumbing Pty Ltd"


@dataclass(frozen=True)
class CompanyInfo:
    realm_id: str
    name: str
    country: str

    @property
    def locale(self) -> Locale:
        return LOCALES[self.country]

    @property
    def timezone(self) -> str:
        return self.locale.timezone


@dataclass
class Company:
    info: CompanyInfo
    books: Books

    @property
    def realm_id(self) -> str:
        return self.info.realm_id


class Companies:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._companies: dict[str, Company] = {}
        self._next_realm = int(DEMO_REALM_ID) + 1
        self.reset()

    def reset(self) -> None:
        """The seeded demo company only, its books rebuilt at the clock's time."""
        with self._lock:
            self._companies.clear()
            self._next_realm = int(DEMO_REALM_ID) + 1
        demo = self.add(DEMO_COMPANY_NAME, "AU", realm_id=DEMO_REALM_ID, chart=False)
        load_demo(demo, self._clock.now())

    def add(
        self, name: str, country: str = "AU", *, realm_id: str | None = None, chart: bool = True
    ) -> Company:
        """A new company with the country's starting chart and tax codes (or empty books)."""
        if not name.strip():
            raise ValueError("a company needs a name")
        country = country.upper()
        if country not in LOCALES:
            raise ValueError(f"unsupported country {country!r}: one of {sorted(LOCALES)}")
        if realm_id is not None and not realm_id.isdigit():
            raise ValueError("a realm id is a string of digits")
        with self._lock:
            if realm_id is None:
                realm_id = str(self._next_realm)
                self._next_realm += 1
            if realm_id in self._companies:
                raise ValueError(f"realm {realm_id} already exists")
            info = CompanyInfo(realm_id=realm_id, name=name.strip(), country=country)
            company = Company(info, Books(info.locale))
            self._companies[realm_id] = company
        load_company_info(company, self._clock.now())
        if chart:
            load_chart(company, self._clock.now())
        return company

    def list(self) -> list[CompanyInfo]:
        with self._lock:
            return [company.info for company in self._companies.values()]

    def get(self, realm_id: str) -> CompanyInfo | None:
        company = self.company(realm_id)
        return None if company is None else company.info

    def company(self, realm_id: str) -> Company | None:
        with self._lock:
            return self._companies.get(realm_id)
