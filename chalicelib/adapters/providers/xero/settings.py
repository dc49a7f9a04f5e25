"""Xero's part of the service's configuration, read from the `XERO_*` environment variables.

The client secret is given either as a Secrets Manager name (deployed stages) or, for
the local stack only, as a plain value; `SecretStr` keeps plain values out of reprs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chalicelib.settings import split_list

GRANULAR_SCOPES = (
    "openid profile email offline_access accounting.settings accounting.contacts "
    "accounting.invoices accounting.payments"
)


class XeroSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XERO_", extra="ignore", case_sensitive=False)

    client_id: str = ""
    client_secret: SecretStr | None = None
    client_secret_name: str | None = None
    redirect_uri: str = "http://127.0.0.1:8000/v1/oauth/xero/callback"
    authorize_url: str = "https://login.xero.com/identity/connect/authorize"
    token_url: str = "https://identity.xero.com/connect/token"
    revocation_url: str = "https://identity.xero.com/connect/revocation"
    api_url: str = "https://api.xero.com"
    scopes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: GRANULAR_SCOPES.split())

    @field_validator("scopes", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return split_list(value)
