"""The service's configuration, read once from the environment.

Secrets are given either as a Secrets Manager name (deployed stages) or, for the
local stack only, as a plain value; `SecretStr` keeps plain values out of reprs.
Each accounting app's settings are its provider's own model, read from that app's
variables in its folder under `chalicelib/adapters/providers/`, nested in `providers`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def split_list(value: object) -> object:
    """A list given as one environment variable, separated by commas or spaces."""
    if isinstance(value, str):
        return [item.strip() for item in value.replace(",", " ").split() if item.strip()]
    return value


def provider_settings_from_environment() -> dict[str, BaseSettings]:
    from chalicelib.adapters.providers import PROVIDERS

    return {provider.key: provider.settings_type() for provider in PROVIDERS}


def environment_names(model: type[BaseSettings]) -> set[str]:
    """The environment variables a settings model reads."""
    prefix = str(model.model_config.get("env_prefix") or "")
    return {f"{prefix}{name}".upper() for name in model.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    stage: str = "local"
    service_name: str = "loc8-integrations"
    table_name: str = "loc8-integrations-local"
    sync_queue_url: str | None = None
    token_secret_prefix: str = "loc8-integrations/local/tokens"
    token_kms_key_id: str | None = None

    jwt_secret: SecretStr | None = None
    jwt_secret_name: str | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "loc8"
    jwt_audience: str = "loc8-integrations"

    state_signing_secret: SecretStr | None = None
    state_signing_secret_name: str | None = None
    state_ttl_seconds: int = Field(default=600, gt=0, le=600)

    web_return_url: str = "http://127.0.0.1:8100/integrations/return"
    # Loc8's web app: invoices sent to an accounting app link back to {url}/invoices/{id}.
    loc8_web_url: str = "http://127.0.0.1:8100"
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Loc8 core's service API; the credential is a Secrets Manager name, or (local
    # stack only) the plain value.
    loc8_api_url: str = ""
    loc8_api_secret: SecretStr | None = None
    loc8_api_secret_name: str | None = None
    loc8_api_max_retries: int = Field(default=3, ge=0, le=10)
    loc8_api_backoff_seconds: float = Field(default=0.5, ge=0)
    loc8_api_retry_after_limit_seconds: float = Field(default=5.0, ge=0)
    loc8_api_page_size: int = Field(default=200, ge=1, le=500)

    sync_time_reserve_seconds: float = Field(default=45.0, ge=0)
    # What one SQS delivery may spend before the run defers to a continuation; kept
    # well under the worker's Lambda timeout, which the queue's visibility timeout follows.
    sync_delivery_budget_seconds: float = Field(default=240.0, gt=0)
    # A running job that has not shown it is alive for this long is taken over by the
    # next request for its integration; its worker shows it at least three times as often.
    sync_run_stale_after_seconds: float = Field(default=180.0, ge=30)
    # Run history is deleted (DynamoDB TTL) this long after a run finished or was queued.
    sync_run_retention_days: int = Field(default=90, ge=1)
    http_connect_timeout_seconds: float = Field(default=3.05, gt=0)
    http_read_timeout_seconds: float = Field(default=10.0, gt=0)
    secret_cache_seconds: int = Field(default=300, ge=0)

    # Keyed by app; a provider missing here reads its settings from the environment.
    providers: dict[str, BaseSettings] = Field(
        default_factory=provider_settings_from_environment, exclude=True
    )

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return split_list(value)

    @model_validator(mode="after")
    def _return_url_is_allowed(self) -> Settings:
        # Deployed stages only ever send the browser back to their own web client.
        if self.stage != "local":
            parts = urlsplit(self.web_return_url)
            if (
                parts.scheme != "https"
                or f"https://{parts.netloc}" not in self.cors_allowed_origins
            ):
                raise ValueError(
                    "WEB_RETURN_URL must be an https URL on one of CORS_ALLOWED_ORIGINS."
                )
        return self

    @classmethod
    def environment_variables(cls) -> set[str]:
        """Every variable the service reads, its providers' included."""
        from chalicelib.adapters.providers import PROVIDERS

        names = environment_names(cls) - {"PROVIDERS"}
        for provider in PROVIDERS:
            names |= environment_names(provider.settings_type)
        return names

    @property
    def http_timeout(self) -> tuple[float, float]:
        return (self.http_connect_timeout_seconds, self.http_read_timeout_seconds)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
