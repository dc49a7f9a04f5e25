"""Shared call budgets in DynamoDB: every Lambda draws from the same item per budget.

Each take reads the budget's arrival time and writes the new one only if nobody wrote
meanwhile (a version check), retrying a few times under contention; the daily cap is a
counter per UTC day, bumped in the same conditional write so a refused take costs
nothing. See `chalicelib/domain/call_budget.py` for the rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from chalicelib.domain.call_budget import CallRate, seconds_to_next_day, take
from chalicelib.ports import Clock

# Writers racing for one budget: past this many lost races, say "try shortly".
MAX_RACES = 5
RACE_WAIT_SECONDS = 0.05


def _key(name: str) -> dict[str, dict[str, str]]:
    return {PK: string_attr(f"CALLBUDGET#{name}"), SK: string_attr("BUDGET")}


def _epoch_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


class DynamoCallBudget:
    def __init__(self, table: DynamoTable, clock: Clock) -> None:
        self._table = table
        self._clock = clock

    def take(self, name: str, calls: int, rate: CallRate) -> float:
        for _race in range(MAX_RACES):
            now = self._clock.now()
            item = self._table.client.get_item(
                TableName=self._table.name, Key=_key(name), ConsistentRead=True
            ).get("Item")
            version = int(item["version"]["N"]) if item else 0
            arrival = (
                datetime.fromtimestamp(int(item["arrival_us"]["N"]) / 1_000_000, tz=UTC)
                if item
                else None
            )
            day = now.strftime("%Y-%m-%d")
            used_today = int(item["used"]["N"]) if item and item["day"]["S"] == day else 0
            if rate.per_day is not None and used_today + calls > rate.per_day:
                return seconds_to_next_day(now)
            granted = take(arrival, now, calls, rate)
            if granted.granted_until is None:
                return granted.wait_seconds
            if self._write(name, version, granted.granted_until, day, used_today + calls):
                return 0.0
        return RACE_WAIT_SECONDS

    def _write(self, name: str, version: int, arrival: datetime, day: str, used: int) -> bool:
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item={
                    **_key(name),
                    "version": number_attr(version + 1),
                    "arrival_us": number_attr(_epoch_us(arrival)),
                    "day": string_attr(day),
                    "used": number_attr(used),
                    # Tidies a budget nobody used for two days; the rule never reads it.
                    TTL_ATTRIBUTE: number_attr(int((arrival + timedelta(days=2)).timestamp())),
                },
                ConditionExpression=(
                    "attribute_not_exists(PK)" if version == 0 else "version = :seen"
                ),
                **(
                    {"ExpressionAttributeValues": {":seen": number_attr(version)}}
                    if version
                    else {}
                ),
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True
