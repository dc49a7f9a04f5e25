"""What secure.myob.com knows: the registered API key, the user's company files, the
consents given and the tokens issued for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RegisteredApp:
    client_id: str  # MYOB calls it the API key; it is also the x-myobapi-key header
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class CompanyFile:
    id: str
    name: str
    serial_number: str
    country: str = "AU"
    product_version: str = "2026.1"
    library_path: str = ""

    def info(self, api_root: str) -> dict[str, object]:
        """The file as GET /accountright/ and GET /accountright/{id}/ describe it."""
        return {
            "Id": self.id,
            "Name": self.name,
            "LibraryPath": self.library_path or self.name,
            "ProductVersion": self.product_version,
            "ProductLevel": {"Code": 20, "Name": "Standard"},
            "CheckedOutDate": None,
            "CheckedOutBy": None,
            "Uri": f"{api_root}/{self.id}",
            "Country": self.country,
            "SerialNumber": self.serial_number,
        }


@dataclass(frozen=True)
class User:
    uid: str
    username: str


@dataclass
class Grant:
    """One consent: a user let the app reach some company files with some scopes."""

    id: str
    user: User
    scopes: tuple[str, ...]
    company_file_ids: tuple[str, ...]
    given_at: datetime
    lapsed: bool = False
    refresh_token: str = ""
    access_tokens: dict[str, datetime] = field(default_factory=dict)  # token -> expiry


@dataclass(frozen=True)
class AuthorisationCode:
    code: str
    grant_id: str
    redirect_uri: str
    expires_at: datetime
