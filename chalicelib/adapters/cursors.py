"""Per-integration sync cursors and fingerprints in DynamoDB, saved as pages complete."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import PK, SK, DynamoTable, string_attr


def _key(integration_id: str, name: str) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"INTEGRATION#{integration_id}"), SK: string_attr(f"CURSOR#{name}")}


class DynamoCursors:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def get(self, integration_id: str, name: str) -> str | None:
        item = self._table.client.get_item(
            TableName=self._table.name, Key=_key(integration_id, name), ConsistentRead=True
        ).get("Item")
        return item["value"]["S"] if item else None

    def put(self, integration_id: str, name: str, value: str) -> None:
        item: dict[str, Any] = {**_key(integration_id, name), "value": string_attr(value)}
        self._table.client.put_item(TableName=self._table.name, Item=item)

    def delete(self, integration_id: str, name: str) -> None:
        self._table.client.delete_item(TableName=self._table.name, Key=_key(integration_id, name))
