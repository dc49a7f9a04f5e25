"""The query language: `SELECT ... FROM Entity [WHERE ...] [ORDERBY ...] [STARTPOSITION n]
[MAXRESULTS n]`, parsed into a `Query` and run against one company's records.

Intuit's grammar, as its "Data queries" reference gives it: `*`, `count(*)` or a field
list; conditions joined by AND only (no OR, no parentheses other than an IN list);
operators =, <, >, <=, >=, IN and LIKE (`%` wildcards); values in single quotes
(`\\'` escapes one), `true`/`false` bare, numbers bare; ORDERBY field [ASC|DESC], ...;
STARTPOSITION is 1-based; MAXRESULTS defaults to 100 and may not exceed 1000 (the
emulator refuses more instead of capping it, so a client cannot think it asked for
more than it got). Only each entity's filterable properties may be compared or sorted
on (4001 otherwise). Name lists (Customer, Item, Account, TaxCode, TaxRate) answer
active records only unless the query mentions `Active`, as QuickBooks does.
Keywords are case-insensitive; property names are not.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from localdev.quickbooks.accounting import faults
from localdev.quickbooks.accounting.books import Record

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS = 1000
_META = ("MetaData.CreateTime", "MetaData.LastUpdatedTime")
# Entity -> its filterable (and sortable) properties.
FILTERABLE: dict[str, frozenset[str]] = {
    "Customer": frozenset(
        {
            "Id",
            "DisplayName",
            "GivenName",
            "MiddleName",
            "FamilyName",
            "CompanyName",
            "FullyQualifiedName",
            "PrintOnCheckName",
            "PrimaryEmailAddr",
            "Active",
            "Balance",
            "Job",
            *_META,
        }
    ),
    "Item": frozenset({"Id", "Name", "Active", "Type", "Sku", "FullyQualifiedName", *_META}),
    "Account": frozenset(
        {
            "Id",
            "Name",
            "Active",
            "AccountType",
            "AccountSubType",
            "Classification",
            "FullyQualifiedName",
            "AcctNum",
            "CurrentBalance",
            *_META,
        }
    ),
    "TaxCode": frozenset({"Id", "Name", "Active", *_META}),
    "TaxRate": frozenset({"Id", "Name", "Active", *_META}),
    "Invoice": frozenset(
        {"Id", "DocNumber", "TxnDate", "DueDate", "CustomerRef", "Balance", "TotalAmt", *_META}
    ),
    "Payment": frozenset({"Id", "TxnDate", "CustomerRef", "TotalAmt", *_META}),
    "CompanyInfo": frozenset({"Id", *_META}),
}
NAME_LISTS = frozenset({"Customer", "Item", "Account", "TaxCode", "TaxRate"})
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<op><=|>=|!=|=|<|>)|(?P<punct>[(),*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<number>-?\d+(?:\.\d+)?))"
)


@dataclass(frozen=True)
class Condition:
    prop: str
    op: str  # one of OPERATORS, "IN" or "LIKE"
    values: tuple[Any, ...]


@dataclass
class Query:
    entity: str
    count: bool = False
    fields: tuple[str, ...] = ()  # () means every field
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    start: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + 1
            raise faults.query_parse_error(
                f"Invalid content. Lexical error at line 1, column {column}.  "
                f'Encountered: "{text[position]}"'
            )
        kind = match.lastgroup or ""
        start = match.start(kind)
        found.append(_Token(kind, match.group(kind), start + 1))
        position = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise faults.query_parse_error('Encountered "<EOF>" at line 1.')
        self.index += 1
        return token

    def expect(self, kind: str, text: str | None = None, expected: str = "") -> _Token:
        token = self.peek()
        if (
            token is None
            or token.kind != kind
            or (text is not None and token.text.upper() != text.upper())
        ):
            raise self.unexpected(expected or (text or kind))
        self.index += 1
        return token

    def unexpected(self, expected: str) -> faults.QuickBooksFault:
        token = self.peek()
        if token is None:
            return faults.query_parse_error(
                f'Encountered "<EOF>" at line 1.\nWas expecting:\n    {expected} ...'
            )
        return faults.query_parse_error(
            f'Encountered " <{token.kind.upper()}> "{token.text} "" at line 1, column '
            f"{token.column}.\nWas expecting:\n    {expected} ..."
        )


def parse(text: str, known_entities: frozenset[str]) -> Query:
    parser = _Parser(text)
    if not parser.tokens:
        raise faults.query_parse_error(
            'Encountered "<EOF>" at line 0, column 0.\nWas expecting:\n    "select" ...'
        )
    parser.expect("word", "SELECT", '"select"')
    count, fields = _select_list(parser)
    parser.expect("word", "FROM", '"from"')
    entity_token = parser.expect("word", expected="<ENTITY>")
    entity = _entity(entity_token.text, known_entities)
    query = Query(entity=entity, count=count, fields=fields)
    for name in fields:
        _property(entity, name, filterable=False)
    if parser.keyword("WHERE"):
        parser.take()
        query.conditions.append(_condition(parser, entity))
        while parser.keyword("AND"):
            parser.take()
            query.conditions.append(_condition(parser, entity))
        if parser.keyword("OR"):
            raise faults.query_parse_error(
                f'Encountered " "OR" "or "" at line 1, column {parser.take().column}.\n'
                'Was expecting one of:\n    <EOF>\n    "and" ...\n    "orderby" ...'
            )
    if parser.keyword("ORDERBY", "ORDER"):
        if parser.take().text.upper() == "ORDER":
            parser.expect("word", "BY", '"by"')
        query.order.append(_order(parser, entity))
        while parser.peek() is not None and parser.peek().text == ",":  # type: ignore[union-attr]
            parser.take()
            query.order.append(_order(parser, entity))
    if parser.keyword("STARTPOSITION"):
        parser.take()
        query.start = _whole(parser, "STARTPOSITION", minimum=1)
    if parser.keyword("MAXRESULTS"):
        parser.take()
        query.max_results = _whole(parser, "MAXRESULTS", minimum=1)
        if query.max_results > MAX_RESULTS:
            raise faults.QuickBooksFault(
                400,
                [
                    faults.ErrorDetail(
                        "4001",
                        "Invalid query",
                        f"QueryValidationError: MAXRESULTS {query.max_results} is more than "
                        f"the maximum of {MAX_RESULTS}",
                    )
                ],
            )
    if parser.peek() is not None:
        raise parser.unexpected("<EOF>")
    return query


def _select_list(parser: _Parser) -> tuple[bool, tuple[str, ...]]:
    token = parser.peek()
    if token is not None and token.kind == "word" and token.text.upper() == "COUNT":
        parser.take()
        parser.expect("punct", "(", '"("')
        parser.expect("punct", "*", '"*"')
        parser.expect("punct", ")", '")"')
        return True, ()
    names: list[str] = []
    star = False
    while True:
        token = parser.take()
        if token.text == "*":
            star = True
        elif token.kind == "word" and token.text.upper() != "FROM":
            names.append(token.text)
        else:
            parser.index -= 1
            raise parser.unexpected('"*" or <PROPERTY>')
        if parser.peek() is None or parser.peek().text != ",":  # type: ignore[union-attr]
            break
        parser.take()
    return False, () if star else tuple(names)


def _entity(name: str, known: frozenset[str]) -> str:
    for entity in known:
        if entity.lower() == name.lower():
            return entity
    raise faults.QuickBooksFault(
        400,
        [
            faults.ErrorDetail(
                "4001", "Invalid query", f"QueryValidationError: Invalid entity name: {name}"
            )
        ],
    )


def _canonical(prop: str) -> str:
    head, dot, tail = prop.partition(".")
    return f"MetaData.{tail}" if dot and head.lower() == "metadata" else prop


def _property(entity: str, prop: str, *, filterable: bool = True) -> str:
    name = _canonical(prop)
    if filterable and name not in FILTERABLE.get(entity, frozenset()):
        raise faults.QuickBooksFault(
            400,
            [
                faults.ErrorDetail(
                    "4001",
                    "Invalid query",
                    f"QueryValidationError: property '{prop}' is not queryable for {entity}",
                )
            ],
        )
    return name


def _value(parser: _Parser) -> Any:
    token = parser.take()
    if token.kind == "string":
        return token.text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    if token.kind == "number":
        return Decimal(token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    parser.index -= 1
    raise parser.unexpected("<STRING> or <NUMBER>")


def _condition(parser: _Parser, entity: str) -> Condition:
    prop = _property(entity, parser.expect("word", expected="<PROPERTY>").text)
    if parser.keyword("IN"):
        parser.take()
        parser.expect("punct", "(", '"("')
        values = [_value(parser)]
        while parser.peek() is not None and parser.peek().text == ",":  # type: ignore[union-attr]
            parser.take()
            values.append(_value(parser))
        parser.expect("punct", ")", '")"')
        return Condition(prop, "IN", tuple(values))
    if parser.keyword("LIKE"):
        parser.take()
        value = _value(parser)
        if not isinstance(value, str):
            raise parser.unexpected("<STRING>")
        return Condition(prop, "LIKE", (value,))
    token = parser.peek()
    if token is None or token.kind != "op" or token.text == "!=":
        raise parser.unexpected('"=" or "<" or ">" or "<=" or ">=" or "in" or "like"')
    parser.take()
    return Condition(prop, token.text, (_value(parser),))


def _order(parser: _Parser, entity: str) -> tuple[str, bool]:
    prop = _property(entity, parser.expect("word", expected="<PROPERTY>").text)
    descending = False
    if parser.keyword("ASC", "DESC"):
        descending = parser.take().text.upper() == "DESC"
    return prop, descending


def _whole(parser: _Parser, clause: str, minimum: int) -> int:
    token = parser.take()
    if token.kind != "number" or "." in token.text or int(token.text) < minimum:
        raise faults.query_parse_error(
            f'Encountered " <{token.kind.upper()}> "{token.text} "" at line 1, column '
            f"{token.column}.\nWas expecting:\n    <INTEGER> ... ({clause} is {minimum} or more)"
        )
    return int(token.text)


# --- evaluation -----------------------------------------------------------------------------
# Stored times repeat a lot (records written in the same second), so their parse is cached.
stored_moment = functools.lru_cache(maxsize=65_536)(datetime.fromisoformat)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _field(record: Record, prop: str) -> Any:
    if prop.startswith("MetaData."):
        return record.get("MetaData", {}).get(prop[len("MetaData.") :])
    value = record.get(prop)
    if isinstance(value, dict):
        return value.get("Address", value.get("value"))
    return value


def parse_moment(value: str, zone: ZoneInfo) -> datetime | None:
    """A date or date-time as QuickBooks reads one; no offset means the company's zone."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _id_key(value: Any) -> tuple[int, str]:
    text = str(value)
    return (int(text), "") if text.isdigit() else (-1, text)


def _number(value: Any, prop: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise faults.query_parse_error(f"Invalid number for {prop}: '{value}'") from None


def _converter(prop: str, zone: ZoneInfo) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How a stored value and a query's value of `prop` become comparable."""
    if prop.startswith("MetaData."):

        def wanted_moment(value: Any) -> datetime:
            moment = parse_moment(str(value), zone) if isinstance(value, str) else None
            if moment is None:
                raise faults.query_parse_error(f"Invalid date/time value for {prop}: '{value}'")
            return moment

        return stored_moment, wanted_moment
    if prop == "Id" or prop.endswith("Ref"):
        return _id_key, _id_key
    return _plain, _plain


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value  # compared as text unless the stored value is a boolean (below)
    return str(value).casefold()


def _coerce(stored: Any, wanted: Any, prop: str) -> Any:
    """The query's value in the stored value's kind (a number, a boolean or text)."""
    if isinstance(stored, bool):
        if isinstance(wanted, str) and wanted.lower() in ("true", "false"):
            return wanted.lower() == "true"
        return wanted
    if isinstance(stored, Decimal):
        return _number(wanted, prop)
    if isinstance(wanted, str):
        return wanted.casefold()
    return wanted


def _like(pattern: str) -> Callable[[Any], bool]:
    regex = re.compile(
        "".join(".*" if part == "%" else re.escape(part) for part in re.split("(%)", pattern)),
        flags=re.IGNORECASE | re.DOTALL,
    )
    return lambda stored: regex.fullmatch(str(stored)) is not None


def predicate(condition: Condition, zone: ZoneInfo) -> Callable[[Record], bool]:
    """A test of one condition, with the query's side converted once."""
    prop = condition.prop
    if condition.op == "LIKE":
        like = _like(condition.values[0])
        return lambda record: (value := _field(record, prop)) is not None and like(value)
    stored_of, wanted_of = _converter(prop, zone)
    wanted = [wanted_of(value) for value in condition.values]

    def test(record: Record) -> bool:
        value = _field(record, prop)
        if value is None:
            return False
        stored = stored_of(value)
        candidates = [_coerce(stored, w, prop) for w in wanted]
        try:
            if condition.op == "IN":
                return stored in candidates
            return _COMPARE[condition.op](stored, candidates[0])
        except TypeError:
            raise faults.query_parse_error(
                f"Cannot compare {prop} with {condition.values[0]!r}"
            ) from None

    return test


def select(records: list[Record], query: Query, zone: ZoneInfo) -> list[Record]:
    """Filter and sort (not page): what the query's WHERE and ORDERBY pick."""
    tests = [predicate(condition, zone) for condition in query.conditions]
    if query.entity in NAME_LISTS and not any(c.prop == "Active" for c in query.conditions):
        tests.insert(0, lambda record: record.get("Active") is not False)
    chosen = [record for record in records if all(test(record) for test in tests)]
    for prop, descending in reversed(query.order):
        chosen.sort(key=_sort_key(prop, zone), reverse=descending)
    return chosen


def _sort_key(prop: str, zone: ZoneInfo) -> Callable[[Record], tuple[int, Any]]:
    stored_of, _ = _converter(prop, zone)

    def key(record: Record) -> tuple[int, Any]:
        value = _field(record, prop)
        return (0, "") if value is None else (1, stored_of(value))

    return key


def page(chosen: list[Record], query: Query) -> list[Record]:
    return chosen[query.start - 1 : query.start - 1 + query.max_results]


def project(record: Record, fields: tuple[str, ...]) -> Record:
    """A record with only the asked-for fields (QuickBooks marks such answers sparse)."""
    if not fields:
        return record
    picked = {name: record[name] for name in fields if name in record}
    picked.update({"domain": "QBO", "sparse": True, "Id": record["Id"]})
    return picked
