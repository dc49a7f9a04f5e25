"""Check the QuickBooks emulator's answers against Intuit's own schema (the v3 XSD).

Intuit publishes no OpenAPI description of the Accounting API; its data schema is the
XSD its SDKs are generated from. It is read from ../shared/reference/quickbooks-xsd/
(relative to the repo root), never copied into the project; tests that use it skip,
saying why, when it is not there.

The JSON API renders the schema as: an element or attribute -> a key of the same
name, a repeatable element -> an array, a simple-content type (ReferenceType) -> an
object with `value` and its attributes. `check_answer` walks a whole answer (a single
entity, QueryResponse, CDCResponse, BatchItemResponse or Fault) and lists every key
the schema does not have and every value of the wrong kind (a string where a boolean
or decimal belongs, a date that is not one, a value outside an enumeration).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "quickbooks-xsd"
MISSING_REASON = (
    f"Intuit's QuickBooks Online XSD is not available at {XSD_DIR} "
    "(expected next to the repo at ../shared/reference/quickbooks-xsd/)"
)
_XS = "{http://www.w3.org/2001/XMLSchema}"
_NUMBERS = ("xs:decimal", "xs:double", "xs:float")
_INTEGERS = ("xs:int", "xs:integer", "xs:long", "xs:positiveInteger", "xs:short")


def available() -> bool:
    return (XSD_DIR / "Finance.xsd").is_file()


@dataclass(frozen=True)
class Field:
    type_name: str | None  # None: an inline (anonymous) type, given by `inline`
    repeated: bool
    inline: ET.Element | None = None


class Schema:
    def __init__(self, folder: Path) -> None:
        self.complex: dict[str, ET.Element] = {}
        self.simple: dict[str, ET.Element] = {}
        for path in sorted(folder.glob("*.xsd")):
            root = ET.parse(path).getroot()  # noqa: S314 - Intuit's schema, a local file
            for node in root:
                name = node.get("name")
                if node.tag == _XS + "complexType" and name:
                    self.complex[name] = node
                elif node.tag == _XS + "simpleType" and name:
                    self.simple[name] = node

    @functools.cache  # noqa: B019 - one Schema per process, kept for its lifetime
    def fields(self, type_name: str) -> dict[str, Field]:
        return self._fields_of(self.complex[type_name])

    def _fields_of(self, node: ET.Element) -> dict[str, Field]:
        found: dict[str, Field] = {}
        for content in ("complexContent", "simpleContent"):
            extension = node.find(f"{_XS}{content}/{_XS}extension")
            if extension is None:
                continue
            base = _local(extension.get("base", ""))
            if base in self.complex:
                found.update(self.fields(base))
            elif content == "simpleContent":
                found["value"] = Field(base or "xs:string", False)
        for element in _own(node, "element"):
            name = element.get("name")
            if name is None:
                continue
            repeated = element.get("maxOccurs", "1") not in ("1", "0")
            inline = element.find(_XS + "complexType")
            found[name] = Field(element.get("type"), repeated, inline)
        for attribute in _own(node, "attribute"):
            if attribute.get("name"):
                found[attribute.get("name", "")] = Field(attribute.get("type", "xs:string"), False)
        return found

    def enumeration(self, type_name: str) -> set[str] | None:
        node = self.simple.get(_local(type_name))
        if node is None:
            return None
        values = {e.get("value", "") for e in node.iter(_XS + "enumeration")}
        return values or None

    def base_of(self, type_name: str) -> str:
        node = self.simple.get(_local(type_name))
        if node is None:
            return type_name
        restriction = node.find(_XS + "restriction")
        return restriction.get("base", "xs:string") if restriction is not None else "xs:string"


def _local(type_name: str) -> str:
    return type_name.split(":", 1)[1] if type_name.startswith("ns") else type_name


def _own(node: ET.Element, kind: str) -> list[ET.Element]:
    """Elements/attributes declared by this type, not by inline types nested in them."""
    found: list[ET.Element] = []

    def walk(current: ET.Element) -> None:
        for child in current:
            if child.tag == _XS + kind:
                found.append(child)
            elif child.tag != _XS + "element" and child.tag != _XS + "attribute":
                walk(child)

    walk(node)
    return found


@functools.cache
def schema() -> Schema:
    return Schema(XSD_DIR)


def check_entity(type_name: str, value: Any, path: str = "") -> list[str]:
    problems: list[str] = []
    _check_complex(schema(), schema().fields(type_name), value, path or type_name, problems)
    return problems


def _check_complex(
    xsd: Schema, fields: dict[str, Field], value: Any, path: str, problems: list[str]
) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object, got {value!r}")
        return
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            problems.append(f"{path}.{key}: not in Intuit's schema")
            continue
        items = item if field.repeated else [item]
        if field.repeated and not isinstance(item, list):
            problems.append(f"{path}.{key}: expected an array")
            continue
        for index, one in enumerate(items):
            where = f"{path}.{key}[{index}]" if field.repeated else f"{path}.{key}"
            _check_value(xsd, field, one, where, problems)


def _check_value(xsd: Schema, field: Field, value: Any, path: str, problems: list[str]) -> None:
    if field.inline is not None:
        _check_complex(xsd, xsd._fields_of(field.inline), value, path, problems)
        return
    type_name = field.type_name or "xs:string"
    local = _local(type_name)
    if local in xsd.complex:
        _check_complex(xsd, xsd.fields(local), value, path, problems)
        return
    allowed = xsd.enumeration(type_name)
    if allowed is not None:
        if value not in allowed:
            problems.append(f"{path}: {value!r} is not one of {sorted(allowed)}")
        return
    _check_simple(xsd.base_of(type_name), value, path, problems)


def _check_simple(type_name: str, value: Any, path: str, problems: list[str]) -> None:
    if type_name == "xs:boolean":
        ok = isinstance(value, bool)
    elif type_name in _NUMBERS:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif type_name in _INTEGERS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif type_name == "xs:date":
        ok = isinstance(value, str) and _parses(date.fromisoformat, value)
    elif type_name == "xs:dateTime":
        ok = isinstance(value, str) and _parses(
            datetime.fromisoformat, value.replace("Z", "+00:00")
        )
    else:
        ok = isinstance(value, str)
    if not ok:
        problems.append(f"{path}: {value!r} is not a valid {type_name}")


def _parses(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


ENTITY_TYPES = frozenset(
    {"Customer", "Item", "Account", "TaxCode", "TaxRate", "Invoice", "Payment", "CompanyInfo"}
)


def check_answer(body: Any) -> list[str]:
    """Every schema violation in a whole answer of the Accounting API."""
    problems: list[str] = []
    if not isinstance(body, dict):
        return [f"answer is not an object: {body!r}"]
    for key, value in body.items():
        if key == "time":
            _check_simple("xs:dateTime", value, "time", problems)
        elif key == "Fault":
            problems += check_entity("Fault", value, "Fault")
        elif key == "QueryResponse":
            problems += _query_response(value, "QueryResponse")
        elif key == "CDCResponse":
            for index, part in enumerate(value):
                for inner, response in enumerate(part.get("QueryResponse", [])):
                    problems += _query_response(response, f"CDCResponse[{index}][{inner}]")
                if set(part) - {"QueryResponse"}:
                    problems.append(f"CDCResponse[{index}]: unexpected keys {sorted(part)}")
        elif key == "BatchItemResponse":
            for index, item in enumerate(value):
                problems += _batch_item(item, f"BatchItemResponse[{index}]")
        elif key in ENTITY_TYPES:
            problems += check_entity(key, value, key)
        else:
            problems.append(f"{key}: not an entity or envelope of the Accounting API")
    return problems


def _query_response(value: Any, path: str) -> list[str]:
    problems: list[str] = []
    for key, item in value.items():
        if key in ("startPosition", "maxResults", "totalCount"):
            _check_simple("xs:int", item, f"{path}.{key}", problems)
        elif key in ENTITY_TYPES and isinstance(item, list):
            for index, record in enumerate(item):
                problems += check_entity(key, record, f"{path}.{key}[{index}]")
        else:
            problems.append(f"{path}.{key}: not part of a QueryResponse")
    return problems


def _batch_item(item: Any, path: str) -> list[str]:
    problems: list[str] = []
    for key, value in item.items():
        if key == "bId":
            _check_simple("xs:string", value, f"{path}.bId", problems)
        elif key == "Fault":
            problems += check_entity("Fault", value, f"{path}.Fault")
        elif key == "QueryResponse":
            problems += _query_response(value, f"{path}.QueryResponse")
        elif key == "CDCResponse" and isinstance(value, dict):  # one here, not a list
            for inner, response in enumerate(value.get("QueryResponse", [])):
                problems += _query_response(response, f"{path}.CDCResponse[{inner}]")
            if set(value) - {"QueryResponse"}:
                problems.append(f"{path}.CDCResponse: unexpected keys {sorted(value)}")
        elif key in ENTITY_TYPES:
            problems += check_entity(key, value, f"{path}.{key}")
        else:
            problems.append(f"{path}.{key}: not part of a BatchItemResponse")
    return problems


_KIND_OF_SIMPLE = {
    "xs:boolean": "bool",
    "xs:date": "date",
    "xs:dateTime": "datetime",
    **{name: "number" for name in (*_NUMBERS, *_INTEGERS)},
}


def kinds(type_name: str) -> dict[str, str]:
    """Each element's JSON kind as the emulator's schema tables name them (ref, object,
    list, bool, number, date, datetime, string)."""
    xsd = schema()
    found: dict[str, str] = {}
    for name, field in xsd.fields(type_name).items():
        local = _local(field.type_name or "")
        if field.repeated:
            found[name] = "list"
        elif local == "ReferenceType":
            found[name] = "ref"
        elif field.inline is not None or local in xsd.complex:
            found[name] = "object"
        else:
            found[name] = _KIND_OF_SIMPLE.get(xsd.base_of(field.type_name or ""), "string")
    return found
