"""A short-lived cache of an organisation's settings (accounts, tax rates) in DynamoDB.

Shared by every Lambda, so a settings page that reloads or many admins looking at
once cost one call to the app per minute, not one per request.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import (
    PK,
    SK,
    TTL_ATTRIBUTE,
    DynamoTable,
    json_attribute,
    number_attr,
    string_attr,
)


def _key(integration_id: str, name: str) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"INTEGRATION#{integration_id}"), SK: string_attr(f"CACHE#{name}")}


class DynamoAppDataCache:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def get(self, integration_id: str, name: str, now: datetime) -> Any | None:
        item = self._table.client.get_item(
            TableName=self._table.name, Key=_key(integration_id, name)
        ).get("Item")
        if item is None or int(item["cached_until_ms"]["N"]) <= int(now.timestamp() * 1000):
            return None
        return json.loads(item["doc"]["S"])

    def put(
        self, integration_id: str, name: str, document: Any, now: datetime, ttl: timedelta
    ) -> None:
        until = now + ttl
        self._table.client.put_item(
            TableName=self._table.name,
            Item={
                **_key(integration_id, name),
                "doc": json_attribute(document),
                "cached_until_ms": number_attr(int(until.timestamp() * 1000)),
                TTL_ATTRIBUTE: number_attr(int(until.timestamp()) + 3600),
            },
        )
