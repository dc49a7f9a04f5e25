"""Every company file's books, and the demo file the emulator starts with."""

from __future__ import annotations

import threading
import uuid

from localdev.emukit import Clock
from localdev.myob.books import Books
from localdev.myob.models import CompanyFile
from localdev.myob.oauth import OAuthService
from localdev.myob.seed import seed_demo_books

DEMO_COMPANY_FILE_ID = "5d4b1ce0-bb9f-4f4c-9578-2b168b7295db"
DEMO_COMPANY_FILE_NAME = "Loc8 Demo Plumbing"


class CompanyFiles:
    def __init__(self, oauth: OAuthService, clock: Clock) -> None:
        self._oauth = oauth
        self._clock = clock
        self._lock = threading.Lock()
        self.books: dict[str, Books] = {}

    def add(self, name: str, company_file_id: str, *, demo_data: bool = True) -> CompanyFile:
        company_file = CompanyFile(
            id=company_file_id.lower(),
            name=name,
            serial_number=f"{uuid.UUID(company_file_id).int % 10**12:012d}",
        )
        with self._lock:
            if company_file.id in self.books:
                raise ValueError(f"company file {company_file.id} already exists")
            books = Books(company_file.id, self._clock)
            seed_demo_books(books, with_contacts=demo_data)
            self.books[company_file.id] = books
        with self._oauth.lock:
            self._oauth.company_files[company_file.id] = company_file
        return company_file

    def reset(self) -> None:
        with self._lock:
            self.books.clear()
        with self._oauth.lock:
            self._oauth.company_files.clear()
        self.add(DEMO_COMPANY_FILE_NAME, DEMO_COMPANY_FILE_ID)

    def get(self, company_file_id: str) -> Books | None:
        with self._lock:
            return self.books.get(company_file_id.lower())
