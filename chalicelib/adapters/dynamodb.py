"""The service's single DynamoDB table: its key schema and a lazily built client."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import boto3

PK = "PK"
SK = "SK"
GSI1 = "GSI1"
GSI1PK = "GSI1PK"
GSI1SK = "GSI1SK"
TTL_ATTRIBUTE = "expires_at_epoch"
# GSI1's one partition: ACTIVE integrations, each followed by its job slot while held.
FAN_OUT_INDEX_KEY = "STATUS#ACTIVE"


def fan_out_sort_key(tenant_id: str, integration_id: str) -> str:
    return f"{tenant_id}#{integration_id}"


def table_definition(table_name: str) -> dict[str, Any]:
    """`CreateTable` arguments, shared by the local stack, the tests and the infra check."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in (PK, SK, GSI1PK, GSI1SK)
        ],
        "KeySchema": [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                # Sparse: only ACTIVE integrations and held job slots carry GSI1 keys,
                # a slot sorting right after its integration, so one Query tells the
                # scheduler's fan-out which integrations to enqueue and which are busy.
                "IndexName": GSI1,
                "KeySchema": [
                    {"AttributeName": GSI1PK, "KeyType": "HASH"},
                    {"AttributeName": GSI1SK, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


def create_table(client: Any, table_name: str) -> None:
    client.create_table(**table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


class DynamoTable:
    """The table name plus a DynamoDB client created on first use, not at import."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.name = table_name
        self._injected_client = client

    @cached_property
    def client(self) -> Any:
        return self._injected_client or boto3.client("dynamodb")


def string_attr(value: str) -> dict[str, str]:
    return {"S": value}


def number_attr(value: int) -> dict[str, str]:
    return {"N": str(value)}


def json_attribute(document: Any) -> dict[str, str]:
    return {"S": json.dumps(document, separators=(",", ":"), sort_keys=True)}


def condition_failed(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"
