"""Issued OAuth states in DynamoDB, so each can be used once (TTL removes old ones)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import (
    PK,
    SK,
    TTL_ATTRIBUTE,
    DynamoTable,
    condition_failed,
    number_attr,
    string_attr,
)
from chalicelib.domain.oauth_state import OAuthState


def _key(state: OAuthState) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"OAUTHSTATE#{state.nonce}"), SK: string_attr("OAUTHSTATE")}


class DynamoOAuthStateStore:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def remember(self, state: OAuthState) -> None:
        self._table.client.put_item(
            TableName=self._table.name,
            Item={
                **_key(state),
                "tenant_id": string_attr(state.tenant_id),
                "integration_id": string_attr(state.integration_id),
                TTL_ATTRIBUTE: number_attr(int(state.expires_at.timestamp()) + 3600),
            },
        )

    def claim(self, state: OAuthState) -> bool:
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=_key(state),
                UpdateExpression="SET claimed = :yes",
                ConditionExpression=(
                    "attribute_exists(PK) AND attribute_not_exists(claimed) "
                    "AND tenant_id = :tenant AND integration_id = :integration"
                ),
                ExpressionAttributeValues={
                    ":yes": {"BOOL": True},
                    ":tenant": string_attr(state.tenant_id),
                    ":integration": string_attr(state.integration_id),
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def release(self, state: OAuthState) -> None:
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=_key(state),
                UpdateExpression="REMOVE claimed",
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
