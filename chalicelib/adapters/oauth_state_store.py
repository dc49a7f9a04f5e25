"""Issued OAuth states and parked grants in DynamoDB, each usable once (TTL removes old ones)."""

from __future__ import annotations

from datetime import UTC, datetime

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
from chalicelib.domain.parked_grant import ParkedGrant

# Items outlive their usefulness by an hour so a late request finds "used", not "unknown".
_TTL_MARGIN_SECONDS = 3600


def _key(state: OAuthState) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"OAUTHSTATE#{state.nonce}"), SK: string_attr("OAUTHSTATE")}


def _parked_key(key: str) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"PARKEDGRANT#{key}"), SK: string_attr("PARKEDGRANT")}


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
                TTL_ATTRIBUTE: number_attr(_ttl(state.expires_at)),
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
        self._unclaim(_key(state))

    def park(self, grant: ParkedGrant) -> None:
        self._table.client.put_item(
            TableName=self._table.name,
            Item={
                **_parked_key(grant.key),
                "tenant_id": string_attr(grant.tenant_id),
                "integration_id": string_attr(grant.integration_id),
                "app": string_attr(grant.app),
                "initiator_digest": string_attr(grant.initiator_digest),
                "state_nonce": string_attr(grant.state_nonce),
                "sealed_code": string_attr(grant.sealed_code),
                "parked_until": number_attr(int(grant.expires_at.timestamp())),
                TTL_ATTRIBUTE: number_attr(_ttl(grant.expires_at)),
                **(
                    {"named_organisation": string_attr(grant.named_organisation)}
                    if grant.named_organisation
                    else {}
                ),
            },
            ConditionExpression="attribute_not_exists(PK)",
        )

    def take_parked(self, key: str, now: datetime) -> ParkedGrant | None:
        try:
            answer = self._table.client.update_item(
                TableName=self._table.name,
                Key=_parked_key(key),
                UpdateExpression="SET claimed = :yes",
                ConditionExpression=(
                    "attribute_exists(PK) AND attribute_not_exists(claimed) AND parked_until > :now"
                ),
                ExpressionAttributeValues={
                    ":yes": {"BOOL": True},
                    ":now": number_attr(int(now.timestamp())),
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                return None
            raise
        item = answer["Attributes"]
        return ParkedGrant(
            key=key,
            tenant_id=item["tenant_id"]["S"],
            integration_id=item["integration_id"]["S"],
            app=item["app"]["S"],
            initiator_digest=item["initiator_digest"]["S"],
            state_nonce=item["state_nonce"]["S"],
            sealed_code=item["sealed_code"]["S"],
            expires_at=datetime.fromtimestamp(int(item["parked_until"]["N"]), tz=UTC),
            named_organisation=item.get("named_organisation", {}).get("S"),
        )

    def return_parked(self, key: str) -> None:
        self._unclaim(_parked_key(key))

    def discard_parked(self, key: str) -> None:
        self._table.client.delete_item(TableName=self._table.name, Key=_parked_key(key))

    def _unclaim(self, key: dict[str, dict[str, str]]) -> None:
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=key,
                UpdateExpression="REMOVE claimed",
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise


def _ttl(expires_at: datetime) -> int:
    return int(expires_at.timestamp()) + _TTL_MARGIN_SECONDS
