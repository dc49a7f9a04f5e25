"""The OData v3 subset MYOB's API documents: `$filter` with eq/ne/gt/ge/lt/le, and/or,
parentheses, substringof/startswith/endswith, string, number, boolean, null,
datetime'...' and guid'...' literals; `$orderby`; `$top` (400 by default, at most 1000)
and `$skip`. Anything else is refused, so a client cannot come to rely on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from localdev.myob.errors import MyobError

DEFAULT_TOP = 400
MAX_TOP = 1000
# Fields holding a date and time; compared only with datetime'...' literals.
DATETIME_FIELDS = frozenset(
    {"LastModified", "Date", "PromisedDate", "LastPaymentDate", "DueDate", "DateOccurred"}
)

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<typed>(?:datetime|guid)'[^']*')"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?[mMdD]?)"
    r"|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)"
    r")"
)
_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_FUNCTIONS = frozenset({"substringof", "startswith", "endswith"})


def query_error(message: str) -> MyobError:
    # MYOB's name for a query it cannot parse is not published: the wording is ours.
    return MyobError(400, "InvalidQuery", message, "$filter")


@dataclass(frozen=True)
class _Literal:
    value: Any
    kind: str  # string, number, boolean, null, datetime, guid


@dataclass(frozen=True)
class _Path:
    segments: tuple[str, ...]

    @property
    def is_datetime(self) -> bool:
        return self.segments[-1] in DATETIME_FIELDS

    @property
    def is_uid(self) -> bool:
        return self.segments[-1] == "UID"

    def value(self, record: Record) -> Any:
        current: Any = record
        for segment in self.segments:
            if not isinstance(current, dict):
                return None
            current = current.get(segment)
        return current


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise query_error(f"Syntax error at position {position} in '{text}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, fields: frozenset[str]) -> None:
        self._tokens = _tokens(text)
        self._at = 0
        self._fields = fields

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._at != len(self._tokens):
            raise query_error(f"Unexpected '{self._tokens[self._at][1]}'")
        return predicate

    def _peek(self) -> tuple[str, str] | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise query_error("Unexpected end of $filter")
        self._at += 1
        return token

    def _expect(self, value: str) -> None:
        _, text = self._next()
        if text != value:
            raise query_error(f"Expected '{value}', found '{text}'")

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token[0] == "word" and token[1] == word:
            self._at += 1
            return True
        return False

    def _or(self) -> Predicate:
        left = self._and()
        while self._keyword("or"):
            right = self._and()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def _and(self) -> Predicate:
        left = self._not()
        while self._keyword("and"):
            right = self._not()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def _not(self) -> Predicate:
        # `not` is OData v3 but no MYOB document or example shows it: refused (stricter);
        # `ne` and De Morgan say the same thing.
        token = self._peek()
        if token is not None and token == ("word", "not"):
            raise query_error("The operator 'not' is not supported")
        return self._primary()

    def _primary(self) -> Predicate:
        token = self._peek()
        if token == ("punct", "("):
            self._at += 1
            inner = self._or()
            self._expect(")")
            return inner
        if token is not None and token[0] == "word" and token[1] in _FUNCTIONS:
            return self._function()
        left = self._operand()
        kind, operator = self._next()
        if kind != "word" or operator not in _COMPARISONS:
            raise query_error(f"Unknown operator '{operator}'")
        right = self._operand()
        return _comparison(left, operator, right)

    def _function(self) -> Predicate:
        _, name = self._next()
        self._expect("(")
        first = self._operand()
        self._expect(",")
        second = self._operand()
        self._expect(")")
        if name == "substringof":
            needle, path = first, second
        else:
            path, needle = first, second
        if not isinstance(path, _Path) or not isinstance(needle, _Literal):
            raise query_error(f"{name} takes a property and a string")
        if needle.kind != "string":
            raise query_error(f"{name} takes a string literal")
        text = str(needle.value)
        test: Callable[[str], bool] = {
            "substringof": lambda value: text in value,
            "startswith": lambda value: value.startswith(text),
            "endswith": lambda value: value.endswith(text),
        }[name]
        return lambda r: isinstance(v := path.value(r), str) and test(v)

    def _operand(self) -> _Literal | _Path:
        kind, text = self._next()
        if kind == "string":
            return _Literal(text[1:-1].replace("''", "'"), "string")
        if kind == "typed":
            prefix, _, rest = text.partition("'")
            raw = rest[:-1]
            if prefix == "datetime":
                return _Literal(_parse_datetime(raw), "datetime")
            return _Literal(raw.lower(), "guid")
        if kind == "number":
            try:
                return _Literal(Decimal(text.rstrip("mMdD")), "number")
            except InvalidOperation as error:
                raise query_error(f"Bad number '{text}'") from error
        if kind == "word":
            if text in ("true", "false"):
                return _Literal(text == "true", "boolean")
            if text == "null":
                return _Literal(None, "null")
            segments = tuple(text.split("/"))
            if segments[0] not in self._fields:
                raise query_error(f"Could not find a property named '{segments[0]}'")
            return _Path(segments)
        raise query_error(f"Unexpected '{text}'")


def _parse_datetime(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as error:
        raise query_error(f"Unrecognised datetime literal '{raw}'") from error
    return parsed.replace(tzinfo=None)


def _comparison(left: _Literal | _Path, operator: str, right: _Literal | _Path) -> Predicate:
    if isinstance(left, _Literal) and isinstance(right, _Path):
        flipped = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(operator, operator)
        return _comparison(right, flipped, left)
    if not isinstance(left, _Path) or not isinstance(right, _Literal):
        raise query_error("A comparison needs a property and a literal")
    path, literal = left, right
    if literal.kind == "null":
        if operator not in ("eq", "ne"):
            raise query_error("null can only be compared with eq or ne")
        return lambda r: (path.value(r) is None) == (operator == "eq")
    if path.is_datetime != (literal.kind == "datetime"):
        raise query_error(
            f"Operator '{operator}' incompatible with operand types for '{'/'.join(path.segments)}'"
        )
    if literal.kind == "guid" and not path.is_uid:
        raise query_error(f"guid literal compared with '{'/'.join(path.segments)}'")

    def value_of(record: Record) -> Any:
        value = path.value(record)
        if value is None:
            return None
        if literal.kind == "datetime":
            return _parse_datetime(str(value))
        if literal.kind == "guid" or (literal.kind == "string" and path.is_uid):
            return str(value).lower()
        if literal.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise query_error(f"'{'/'.join(path.segments)}' is not a number")
            return Decimal(str(value))
        if literal.kind == "boolean" and not isinstance(value, bool):
            raise query_error(f"'{'/'.join(path.segments)}' is not a boolean")
        if literal.kind == "string" and not isinstance(value, str):
            raise query_error(f"'{'/'.join(path.segments)}' is not a string")
        return value

    expected = literal.value
    if literal.kind == "string" and path.is_uid:
        expected = str(expected).lower()
    compare: Callable[[Any, Any], bool] = {
        "eq": lambda a, b: a == b,
        "ne": lambda a, b: a != b,
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
    }[operator]

    def predicate(record: Record) -> bool:
        value = value_of(record)
        if value is None:
            return operator == "ne"
        return compare(value, expected)

    return predicate


def parse_filter(text: str | None, fields: frozenset[str]) -> Predicate:
    if text is None or not text.strip():
        return lambda record: True
    return _Parser(text, fields).parse()


def parse_orderby(text: str | None, fields: frozenset[str]) -> list[tuple[_Path, bool]]:
    """[(path, descending)] for "Field [asc|desc], ..."."""
    if text is None or not text.strip():
        return []
    keys: list[tuple[_Path, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise MyobError(
                400, "InvalidQuery", f"Bad $orderby clause '{part.strip()}'", "$orderby"
            )
        segments = tuple(words[0].split("/"))
        if segments[0] not in fields:
            raise MyobError(
                400, "InvalidQuery", f"Could not find a property named '{segments[0]}'", "$orderby"
            )
        keys.append((_Path(segments), len(words) == 2 and words[1] == "desc"))
    return keys


def order(records: list[Record], keys: list[tuple[_Path, bool]]) -> list[Record]:
    ordered = list(records)
    for path, descending in reversed(keys):
        # None sorts first ascending (last descending), as SQL Server does.
        ordered.sort(
            key=lambda r: (path.value(r) is not None, _sortable(path.value(r))),
            reverse=descending,
        )
    return ordered


def _sortable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    return str(value)


def parse_int(name: str, raw: str | None, default: int, lowest: int, highest: int) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"\d+", raw.strip()):
        raise MyobError(400, "InvalidQuery", f"{name} must be a whole number", name)
    value = int(raw)
    if not lowest <= value <= highest:
        raise MyobError(400, "InvalidQuery", f"{name} must be from {lowest} to {highest}", name)
    return value
