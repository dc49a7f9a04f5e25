"""MYOB Business's part of the service's configuration, read from the `MYOB_*`
environment variables.

MYOB calls the OAuth client id the API key: it is also the `x-myobapi-key` header every
API call carries. The client secret is given either as a Secrets Manager name (deployed
stages) or, for the local stack only, as a plain value; `SecretStr` keeps plain values
out of reprs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chalicelib.settings import split_list

# The granular data scopes (API keys from 12 March 2025) a sync needs: the company
# file itself, customers, items, the chart of accounts and tax codes, and sales
# (invoices and customer payments).
LOC8_SCOPES = (
    "sme-company-file",
    "sme-contacts-customer",
    "sme-inventory",
    "sme-general-ledger",
    "sme-sales",
)


class MyobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MYOB_", extra="ignore", case_sensitive=False)

    client_id: str = ""
    client_secret: SecretStr | None = None
    client_secret_name: str | None = None
    redirect_uri: str = "http://127.0.0.1:8000/v1/oauth/myob/callback"
    authorize_url: str = "https://secure.myob.com/oauth2/account/authorize"
    token_url: str = "https://secure.myob.com/oauth2/v1/authorize"
    api_url: str = "https://api.myob.com/accountright"
    scopes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(LOC8_SCOPES))
    # MYOB names the chosen company file in the redirect only when consent is prompted.
    prompt: str = "consent"

    @field_validator("scopes", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return split_list(value)
