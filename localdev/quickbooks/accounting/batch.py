"""`POST /batch`: up to 30 operations in one request, each answered on its own.

Intuit's batch reference: a body `{"BatchItemRequest": [...]}` of items with a `bId`
and either an entity plus `operation` (create, update, delete; void for transactions)
or a `Query`. Items run in order; one failing gives that item a `Fault` and the others
still run (nothing rolls back). The answer lists `{"bId", <Entity> | "QueryResponse" |
"Fault"}` per item. More than 30 items is refused whole. Each item is checked by the
same rules as its own endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localdev.quickbooks.accounting import faults

MAX_ITEMS = 30
OPERATIONS = ("create", "update", "delete", "void")

RunItem = Callable[[str, str, dict[str, Any]], dict[str, Any]]  # entity, operation, body
RunQuery = Callable[[str], dict[str, Any]]


def items_of(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("BatchItemRequest"), list):
        raise faults.required_missing("BatchItemRequest")
    unknown = [key for key in body if key != "BatchItemRequest"]
    if unknown:
        raise faults.unsupported_property(unknown[0], "IntuitBatchRequest")
    items = body["BatchItemRequest"]
    if not items:
        raise faults.required_missing("BatchItemRequest")
    if len(items) > MAX_ITEMS:
        raise faults.batch_too_large(len(items), MAX_ITEMS)
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            raise faults.request_invalid("Each BatchItemRequest must be an object.")
        bid = item.get("bId")
        if not isinstance(bid, str) or not bid:
            raise faults.required_missing("bId", "BatchItemRequest.bId")
        if bid in seen:
            raise faults.invalid_value(f"Duplicate bId {bid} in the batch", "bId")
        seen.add(bid)
    return items


def run(
    items: list[dict[str, Any]], known: frozenset[str], run_item: RunItem, run_query: RunQuery
) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for item in items:
        bid = item["bId"]
        try:
            answers.append({**_one(item, known, run_item, run_query), "bId": bid})
        except faults.QuickBooksFault as fault:
            answers.append({"Fault": fault.fault_json(), "bId": bid})
    return answers


def _one(
    item: dict[str, Any], known: frozenset[str], run_item: RunItem, run_query: RunQuery
) -> dict[str, Any]:
    payload = [key for key in item if key not in ("bId", "operation", "optionsData")]
    if len(payload) != 1:
        raise faults.request_invalid(
            "A batch item carries exactly one entity or one Query beside bId and operation."
        )
    key = payload[0]
    if key == "Query":
        if "operation" in item:
            raise faults.invalid_value("A Query item has no operation", "operation")
        return run_query(str(item["Query"]))
    if key not in known:
        raise faults.unsupported_property(key, "BatchItemRequest")
    operation = item.get("operation")
    if operation not in OPERATIONS:
        raise faults.invalid_value(
            f"Invalid operation {operation!r}: one of {', '.join(OPERATIONS)}", "operation"
        )
    body = item[key]
    if not isinstance(body, dict):
        raise faults.request_invalid(f"{key} must be an object.")
    return run_item(key, operation, body)
