"""Short, named leases in DynamoDB: at most one holder at a time, expiring by themselves.

Used so that concurrent Lambdas never refresh the same token set twice, and so one
sync job per integration runs at a time. A holder that dies simply lets its lease
expire; nobody has to clean up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


def _key(name: str) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"LEASE#{name}"), SK: string_attr("LEASE")}


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class DynamoLeases:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def acquire(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        expires_at = now + ttl
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item={
                    **_key(name),
                    "owner": string_attr(owner),
                    "lease_until_ms": number_attr(_epoch_ms(expires_at)),
                    # TTL only tidies up; expiry is decided by lease_until_ms.
                    TTL_ATTRIBUTE: number_attr(int(expires_at.timestamp()) + 3600),
                },
                ConditionExpression=(
                    "attribute_not_exists(PK) OR lease_until_ms < :now OR #owner = :owner"
                ),
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={
                    ":now": number_attr(_epoch_ms(now)),
                    ":owner": string_attr(owner),
                },
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def release(self, name: str, owner: str) -> None:
        try:
            self._table.client.delete_item(
                TableName=self._table.name,
                Key=_key(name),
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": string_attr(owner)},
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
