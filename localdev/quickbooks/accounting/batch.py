"""`POST /batch`: up to 30 operations in one request, each answered on its own.

Intuit's batch reference: a body `{"BatchItemRequest": [...]}` of items with a `bId`
and either an entity plus `operation` (create, update, delete; void for transactions)
or a `Query`, or a `CDCQuery` (`{"Entities": "A,B", "ChangedSince": <date-time>}`,
Intuit's XSD and its Java SDK's `BatchOperation.addCDCQuery`). Items run in order; one
failing gives that item a `Fault` and the others still run (nothing rolls back). The
answer lists `{"bId", <Entity> | "QueryResponse" | "CDCResponse" | "Fault"}` per item;
a CDC item's `CDCResponse` is one object (the XSD's BatchItemResponse holds at most one,
and the Java SDK reads it as one), not the list `/cdc` answers. More than 30 items is
refused whole. Each item is checked by the same rules as its own endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localdev.quickbooks.accounting import faults

MAX_ITEMS = 30
OPERATIONS = ("create", "update", "delete", "void")

RunItem = Callable[[str, str, dict[str, Any]], dict[str, Any]]  # entity, operation, body
RunQuery = Callable[[str], dict[str, Any]]
RunChanges = Callable[[str, str], dict[str, Any]]  # entities, changedSince
CDC_FIELDS = ("Entities", "ChangedSince")


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
    items: list[dict[str, Any]],
    known: frozenset[str],
    run_item: RunItem,
    run_query: RunQuery,
    run_changes: RunChanges,
) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for item in items:
        bid = item["bId"]
        try:
            answers.append({**_one(item, known, run_item, run_query, run_changes), "bId": bid})
        except faults.QuickBooksFault as fault:
            answers.append({"Fault": fault.fault_json(), "bId": bid})
    return answers


def _one(
    item: dict[str, Any],
    known: frozenset[str],
    run_item: RunItem,
    run_query: RunQuery,
    run_changes: RunChanges,
) -> dict[str, Any]:
    payload = [key for key in item if key not in ("bId", "operation", "optionsData")]
    if len(payload) != 1:
        raise faults.request_invalid(
            "A batch item carries exactly one entity, Query or CDCQuery beside bId and operation."
        )
    key = payload[0]
    if key in ("Query", "CDCQuery") and "operation" in item:
        raise faults.invalid_value(f"A {key} item has no operation", "operation")
    if key == "Query":
        return run_query(str(item["Query"]))
    if key == "CDCQuery":
        return run_changes(*_cdc_query(item["CDCQuery"]))
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


def _cdc_query(query: Any) -> tuple[str, str]:
    """Entities and ChangedSince of a CDCQuery item, both required as text (the Java
    SDK refuses to send one without either; the XSD's minOccurs=0 is not taken)."""
    if not isinstance(query, dict):
        raise faults.request_invalid("CDCQuery must be an object.")
    unknown = [key for key in query if key not in CDC_FIELDS]
    if unknown:
        raise faults.unsupported_property(unknown[0], "CDCQuery")
    values = []
    for name in CDC_FIELDS:
        value = query.get(name)
        if not isinstance(value, str) or not value:
            raise faults.required_missing(name, f"CDCQuery.{name}")
        values.append(value)
    return values[0], values[1]
