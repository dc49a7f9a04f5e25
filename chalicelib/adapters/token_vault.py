"""Token sets in Secrets Manager: one secret per integration, under a fixed prefix."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.domain.tokens import TokenSet


class SecretsManagerTokenVault:
    def __init__(self, prefix: str, kms_key_id: str | None = None, client: Any = None) -> None:
        self._prefix = prefix.rstrip("/")
        self._kms_key_id = kms_key_id
        self._injected_client = client

    @cached_property
    def _client(self) -> Any:
        return self._injected_client or boto3.client("secretsmanager")

    def secret_name(self, tenant_id: str, integration_id: str) -> str:
        return f"{self._prefix}/{tenant_id}/{integration_id}"

    def put(
        self, tenant_id: str, integration_id: str, tokens: TokenSet, *, create: bool = True
    ) -> bool:
        """Store the token set; with `create=False` only replace an existing secret.

        Returns False when the secret is gone and was not created: a refresh racing a
        disconnect must not bring the deleted tokens back.
        """
        name = self.secret_name(tenant_id, integration_id)
        payload = json.dumps(tokens.to_secret_payload())
        try:
            self._client.put_secret_value(SecretId=name, SecretString=payload)
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            if not create:
                return False
            options: dict[str, Any] = {"Name": name, "SecretString": payload}
            if self._kms_key_id:
                options["KmsKeyId"] = self._kms_key_id
            self._client.create_secret(
                **options,
                Description="OAuth token set of one Loc8 integration",
                Tags=[
                    {"Key": "loc8:tenant", "Value": tenant_id},
                    {"Key": "loc8:integration", "Value": integration_id},
                ],
            )
            return True

    def get(self, tenant_id: str, integration_id: str) -> TokenSet | None:
        try:
            response = self._client.get_secret_value(
                SecretId=self.secret_name(tenant_id, integration_id)
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise
        return TokenSet.model_validate(json.loads(response["SecretString"]))

    def delete(self, tenant_id: str, integration_id: str) -> None:
        try:
            # Without a recovery window: the tokens were revoked at the app already,
            # and a pending deletion would keep a dead credential around for days.
            self._client.delete_secret(
                SecretId=self.secret_name(tenant_id, integration_id),
                ForceDeleteWithoutRecovery=True,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
