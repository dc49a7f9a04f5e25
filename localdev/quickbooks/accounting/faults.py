"""Intuit's error answers: `{"Fault": {"Error": [...], "type": ...}, "time": ...}`.

Every failure is raised as a `QuickBooksFault` and turned into a response by one
handler. Field casing follows Intuit's schema (IntuitRestServiceDef.xsd: elements
`Message`, `Detail`; attributes `code`, `element`; Fault attribute `type`) as the JSON
API renders it, which is also what python-quickbooks reads (`Fault.Error[].Message`,
`.Detail`, `.code`). Texts marked "Intuit's" below were seen in real answers (sources
in RULES.md); the others are the emulator's wording for a rule Intuit enforces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response

# Intuit stamps `time` in its servers' zone (US Pacific), with milliseconds, whatever
# the company's own zone: "2017-07-30T22:45:22.933-07:00".
_SERVER_ZONE = ZoneInfo("America/Los_Angeles")
JSON_TYPE = "application/json;charset=UTF-8"

VALIDATION = "ValidationFault"
SERVICE = "SERVICE"
SYSTEM = "SystemFault"


def server_time(moment: datetime | None = None) -> str:
    local = (moment or datetime.now(UTC)).astimezone(_SERVER_ZONE)
    return local.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    detail: str
    element: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }


@dataclass
class QuickBooksFault(Exception):
    status: int
    errors: list[ErrorDetail]
    fault_type: str = VALIDATION
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{e.code} {e.message}: {e.detail}" for e in self.errors)

    def fault_json(self) -> dict[str, Any]:
        return {"Error": [e.to_json() for e in self.errors], "type": self.fault_type}

    def body(self, moment: datetime | None = None) -> dict[str, Any]:
        return {"Fault": self.fault_json(), "time": server_time(moment)}

    def to_response(self, moment: datetime | None = None) -> Response:
        response = Response(
            json.dumps(self.body(moment)), status=self.status, content_type=JSON_TYPE
        )
        response.headers.update(self.headers)
        return response


def _one(
    code: str, message: str, detail: str, element: str = "", status: int = 400
) -> QuickBooksFault:
    return QuickBooksFault(status, [ErrorDetail(code, message, detail, element)])


# --- Intuit's texts -------------------------------------------------------------------------
def duplicate_name(
    others: str = "customer, vendor or employee", element: str = ""
) -> QuickBooksFault:
    return _one(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another {others} is already "
        "using this name. Please use a different name.",
        element,
    )


def stale_object() -> QuickBooksFault:
    return _one(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and Loc8 Emulator were working on this at the same time. "
        "Loc8 Emulator finished before you did, so your work was not saved.",
    )


TRANSACTIONS = frozenset({"Invoice", "Payment"})


def object_not_found(entity: str, record_id: str) -> QuickBooksFault:
    """Intuit's two 610 texts: one for transactions, one for name lists (a missing or
    inactive customer, item or account)."""
    if entity in TRANSACTIONS:
        detail = "Object Not Found : Another user has deleted this transaction."
    else:
        detail = (
            "Object Not Found : Something you're trying to use has been made inactive. "
            "Check the fields with accounts, customers, items, vendors or employees."
        )
    return _one("610", "Object Not Found", detail)


def duplicate_request_id(request_id: str) -> QuickBooksFault:
    return _one(
        "600",
        "RequestId already exists in the system, duplicate request is detected",
        f"requestid {request_id} was already used for a different request",
        "requestid",
    )


def batch_too_large(size: int, limit: int) -> QuickBooksFault:
    return _one(
        "1040",
        "Batch size exceeds allowed limit",
        f"The batch has {size} items; the batch limit size is {limit}",
        "BatchItemRequest",
    )


def amount_mismatch(amount: object) -> QuickBooksFault:
    return _one(
        "6070",
        "Amount calculation incorrect in the request",
        f"Amount is not equal to Qty * UnitPrice. Supplied value:{amount}",
        "Amount",
    )


def list_has_balance() -> QuickBooksFault:
    """Making a customer inactive (QuickBooks' "delete" of a name) while it owes money."""
    return _one(
        "6000",
        "Delete List Has Balance Error",
        "The entity you are trying to delete has an open balance. : This customer cannot be "
        "deleted because it has a non-zero balance",
        "Active",
    )


def us_line_tax_code(value: str) -> QuickBooksFault:
    return _one(
        "6100",
        "Invalid Line TaxCode in the request",
        f"Valid Line TaxCodes for US should be TAX or NON. Supplied value:{value}",
        "TaxCodeRef",
    )


def no_name_provided() -> QuickBooksFault:
    return _one(
        "6080",
        "No Name Provided",
        "Title, GivenName, MiddleName, FamilyName, DisplayName, Suffix - one of these must be "
        "non-empty",
    )


def query_parse_error(detail: str) -> QuickBooksFault:
    return _one("4000", "Error parsing query", f"QueryParserError: {detail}")


def throttled() -> QuickBooksFault:
    return QuickBooksFault(
        429,
        [
            ErrorDetail(
                "3001",
                "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                "The request limit was reached.  Try again later",
            )
        ],
        fault_type=SERVICE,
    )


def duplicate_doc_number(doc_number: str, txn_id: str) -> QuickBooksFault:
    return _one(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. This number "
        f"has already been used. DocNumber={doc_number} is assigned to TxnType=Invoice with "
        f"TxnId={txn_id}",
    )


def required_missing(name: str, element: str = "") -> QuickBooksFault:
    return _one(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {name} is missing in the request",
        element,
    )


def unsupported_property(name: str, schema_type: str) -> QuickBooksFault:
    """Intuit's deserialiser refusing a property its schema type does not have."""
    return _one(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" (class '
        f"com.intuit.schema.finance.v3.{schema_type}), not marked as ignorable specified is "
        "unsupported or invalid",
    )


def unreadable_value(name: str, value: object, kind: str, schema_type: str) -> QuickBooksFault:
    """A value the deserialiser cannot read as its element's type (the emulator's wording)."""
    return _one(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Can not read {value!r} as {kind} for field "{name}" (class '
        f"com.intuit.schema.finance.v3.{schema_type}) specified is unsupported or invalid",
    )


def invalid_reference(entity: str, value: str, element: str = "") -> QuickBooksFault:
    return _one(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} element id {value} not found",
        element,
    )


def business_rule(detail: str, element: str = "") -> QuickBooksFault:
    return _one(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def invalid_value(detail: str, element: str = "") -> QuickBooksFault:
    return _one("2050", "Invalid String", detail, element)


def request_invalid(detail: str) -> QuickBooksFault:
    """A body or parameter the API cannot read at all (Intuit's 2010/2500-family text varies)."""
    return _one("2500", "Invalid Request", detail)


def unsupported_operation(detail: str) -> QuickBooksFault:
    return _one("500", "Unsupported Operation", detail)


def not_emulated(path: str) -> QuickBooksFault:
    return QuickBooksFault(
        501,
        [ErrorDetail("0", "Not Implemented", f"{path} is not implemented by the emulator")],
        fault_type=SYSTEM,
    )
