"""Integrations in DynamoDB, one item each, plus a guard item per (tenant, app).

Keys: `TENANT#<tenant>` / `INTEGRATION#<id>` so a tenant can only ever read its own
integrations, and `TENANT#<tenant>` / `APP#<app>` so a second integration of the same
app cannot be added while one is present. Record links will live under their own
`LINKS#<tenant>#<app>#<organisation>` keys, which a disconnect never touches.

A disconnect that leaves a saved config also writes, in the same transaction, a
pointer `TENANT#<tenant>` / `LAST_CONFIG#<app>#<organisation>` to that integration,
so reconnecting the same organisation finds its last config with two reads, and
only ever within the tenant's own partition.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import (
    FAN_OUT_INDEX_KEY,
    GSI1,
    GSI1PK,
    GSI1SK,
    PK,
    SK,
    DynamoTable,
    condition_failed,
    fan_out_sort_key,
    json_attribute,
    number_attr,
    string_attr,
)
from chalicelib.adapters.sync_runs_repo import SLOT, slot_until
from chalicelib.domain.errors import AlreadyConnected, ConcurrentUpdate, NotFound
from chalicelib.domain.integration import Integration, IntegrationStatus


def tenant_key(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def integration_key(integration_id: str) -> str:
    return f"INTEGRATION#{integration_id}"


def app_guard_key(app: str) -> str:
    return f"APP#{app}"


def last_config_key(app: str, organisation_id: str) -> str:
    return f"LAST_CONFIG#{app}#{organisation_id}"


class DynamoIntegrationRepo:
    def __init__(self, table: DynamoTable) -> None:
        self._table = table

    def add(self, integration: Integration) -> None:
        owner = self._guard_owner(integration.tenant_id, integration.app)
        if owner is not None and not self._is_disconnected(integration.tenant_id, owner):
            raise AlreadyConnected(integration.app, owner)
        # The guard is taken only if it is still free, or still held by the
        # disconnected integration seen above (a disconnect that stopped before
        # releasing it must not block the tenant forever).
        guard_condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        if owner is not None:
            guard_condition = {
                "ConditionExpression": "integration_id = :owner",
                "ExpressionAttributeValues": {":owner": string_attr(owner)},
            }
        try:
            self._table.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": self._guard_item(integration),
                            **guard_condition,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": self._item(integration),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            winner = self._guard_owner(integration.tenant_id, integration.app)
            if winner is None:
                raise ConcurrentUpdate("The integration was added concurrently; retry.") from error
            raise AlreadyConnected(integration.app, winner) from error

    def get(self, tenant_id: str, integration_id: str) -> Integration:
        response = self._table.client.get_item(
            TableName=self._table.name,
            Key={
                PK: string_attr(tenant_key(tenant_id)),
                SK: string_attr(integration_key(integration_id)),
            },
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            raise NotFound(f"Integration {integration_id} was not found.")
        return self._from_item(item)

    def list(self, tenant_id: str, include_disconnected: bool = False) -> list[Integration]:
        paginator = self._table.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table.name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": string_attr(tenant_key(tenant_id)),
                ":prefix": string_attr("INTEGRATION#"),
            },
            ConsistentRead=True,
        )
        integrations = [self._from_item(item) for page in pages for item in page["Items"]]
        if not include_disconnected:
            integrations = [
                i for i in integrations if i.status is not IntegrationStatus.DISCONNECTED
            ]
        return sorted(integrations, key=lambda i: i.created_at)

    def active_pages(
        self, page_size: int = 100
    ) -> Iterator[list[tuple[Integration, datetime | None]]]:
        """Every ACTIVE integration of every tenant, a page at a time, each with the time
        its job slot is held until (None when free), from the sparse GSI1 alone."""
        paginator = self._table.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table.name,
            IndexName=GSI1,
            KeyConditionExpression="GSI1PK = :active",
            ExpressionAttributeValues={":active": string_attr(FAN_OUT_INDEX_KEY)},
            PaginationConfig={"PageSize": page_size},
        )
        # The last integration of a page waits: its slot may open the next page.
        waiting: Integration | None = None
        for page in pages:
            entries: list[tuple[Integration, datetime | None]] = []
            for item in page["Items"]:
                if item[SK]["S"] == SLOT:
                    # A slot not right after its integration belongs to one no longer ACTIVE.
                    if waiting is not None and item[PK]["S"] == integration_key(waiting.id):
                        entries.append((waiting, slot_until(item)))
                        waiting = None
                    continue
                if waiting is not None:
                    entries.append((waiting, None))
                waiting = self._from_item(item)
            if waiting is not None and "LastEvaluatedKey" not in page:
                entries.append((waiting, None))
                waiting = None
            if entries:
                yield entries
        if waiting is not None:
            yield [(waiting, None)]

    def save(self, integration: Integration) -> None:
        expected = integration.revision
        integration.revision = expected + 1
        put: dict[str, Any] = {
            "TableName": self._table.name,
            "Item": self._item(integration),
            "ConditionExpression": "revision = :expected",
            "ExpressionAttributeValues": {":expected": number_attr(expected)},
        }
        pointer = self._last_config_pointer(integration)
        try:
            if pointer is None:
                self._table.client.put_item(**put)
            else:
                # One transaction: a disconnected config is never left unremembered.
                self._table.client.transact_write_items(
                    TransactItems=[
                        {"Put": put},
                        {"Put": {"TableName": self._table.name, "Item": pointer}},
                    ]
                )
        except ClientError as error:
            integration.revision = expected
            if condition_failed(error) or (
                error.response["Error"]["Code"] == "TransactionCanceledException"
            ):
                raise ConcurrentUpdate(
                    "The integration was changed by another request; reload and retry."
                ) from error
            raise
        if integration.status is IntegrationStatus.DISCONNECTED:
            self._release_guard(integration)

    def last_configured(self, tenant_id: str, app: str, organisation_id: str) -> Integration | None:
        """The tenant's last disconnected integration of this app and organisation that
        had a saved config, or None. Reads only the tenant's own partition."""
        response = self._table.client.get_item(
            TableName=self._table.name,
            Key={
                PK: string_attr(tenant_key(tenant_id)),
                SK: string_attr(last_config_key(app, organisation_id)),
            },
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            return None
        try:
            previous = self.get(tenant_id, item["integration_id"]["S"])
        except NotFound:
            return None
        bound = previous.organisation
        if (
            previous.app != app
            or bound is None
            or bound.id != organisation_id
            or previous.config is None
            or previous.status is not IntegrationStatus.DISCONNECTED
        ):
            return None
        return previous

    def _last_config_pointer(self, integration: Integration) -> dict[str, Any] | None:
        organisation = integration.organisation
        if (
            integration.status is not IntegrationStatus.DISCONNECTED
            or integration.config is None
            or organisation is None
        ):
            return None
        return {
            PK: string_attr(tenant_key(integration.tenant_id)),
            SK: string_attr(last_config_key(integration.app, organisation.id)),
            "integration_id": string_attr(integration.id),
        }

    def _release_guard(self, integration: Integration) -> None:
        try:
            self._table.client.delete_item(
                TableName=self._table.name,
                Key={
                    PK: string_attr(tenant_key(integration.tenant_id)),
                    SK: string_attr(app_guard_key(integration.app)),
                },
                # Only free the slot this integration holds, never a newer one's.
                ConditionExpression="integration_id = :id",
                ExpressionAttributeValues={":id": string_attr(integration.id)},
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def _is_disconnected(self, tenant_id: str, integration_id: str) -> bool:
        try:
            return self.get(tenant_id, integration_id).status is IntegrationStatus.DISCONNECTED
        except NotFound:
            return True

    def _guard_item(self, integration: Integration) -> dict[str, Any]:
        return {
            PK: string_attr(tenant_key(integration.tenant_id)),
            SK: string_attr(app_guard_key(integration.app)),
            "integration_id": string_attr(integration.id),
        }

    def _guard_owner(self, tenant_id: str, app: str) -> str | None:
        response = self._table.client.get_item(
            TableName=self._table.name,
            Key={PK: string_attr(tenant_key(tenant_id)), SK: string_attr(app_guard_key(app))},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return item["integration_id"]["S"] if item else None

    def _item(self, integration: Integration) -> dict[str, Any]:
        item: dict[str, Any] = {
            PK: string_attr(tenant_key(integration.tenant_id)),
            SK: string_attr(integration_key(integration.id)),
            "status": string_attr(integration.status.value),
            "app": string_attr(integration.app),
            "revision": number_attr(integration.revision),
            "doc": json_attribute(integration.model_dump(mode="json")),
        }
        if integration.status is IntegrationStatus.ACTIVE:
            item[GSI1PK] = string_attr(FAN_OUT_INDEX_KEY)
            item[GSI1SK] = string_attr(fan_out_sort_key(integration.tenant_id, integration.id))
        return item

    @staticmethod
    def _from_item(item: dict[str, Any]) -> Integration:
        document = json.loads(item["doc"]["S"])
        document["revision"] = int(item["revision"]["N"])
        return Integration.model_validate(document)
