"""QuickBooks Online's part of the service's configuration, read from the
`QUICKBOOKS_*` environment variables.

The client secret is given either as a Secrets Manager name (deployed stages) or, for
the local stack only, as a plain value; `SecretStr` keeps plain values out of reprs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chalicelib.settings import split_list

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
# Intuit's answers change shape per minor version; 75 is the baseline since Aug 2025
# (1-74 are ignored), and the mappers read version 75's fields.
MINOR_VERSION = 75


class QuickBooksSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QUICKBOOKS_", extra="ignore", case_sensitive=False
    )

    client_id: str = ""
    client_secret: SecretStr | None = None
    client_secret_name: str | None = None
    redirect_uri: str = "http://127.0.0.1:8000/v1/oauth/quickbooks/callback"
    authorize_url: str = "https://appcenter.intuit.com/connect/oauth2"
    token_url: str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
    revocation_url: str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
    api_url: str = "https://quickbooks.api.intuit.com"
    scopes: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [ACCOUNTING_SCOPE])
    minor_version: int = MINOR_VERSION

    @field_validator("scopes", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return split_list(value)
