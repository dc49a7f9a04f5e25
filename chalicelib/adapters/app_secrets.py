"""The service's own secrets (JWT key, state key, client secrets), cached briefly.

Deployed stages name a Secrets Manager secret, read through Powertools Parameters;
the local stack may give the value directly instead.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from pydantic import SecretStr


class MissingSecret(RuntimeError):
    pass


class AppSecrets:
    def __init__(self, max_age_seconds: int, client: Any = None) -> None:
        self._max_age = max_age_seconds
        self._injected_client = client

    @cached_property
    def _provider(self) -> SecretsProvider:
        return SecretsProvider(boto3_client=self._injected_client)

    def resolve(self, what: str, value: SecretStr | None, name: str | None) -> str:
        if value is not None:
            return value.get_secret_value()
        if name:
            return str(self._provider.get(name, max_age=self._max_age))
        raise MissingSecret(f"No {what} is configured (set the value or its secret name).")
