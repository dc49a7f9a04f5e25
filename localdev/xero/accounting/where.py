"""The `where` and `order` query parameters: a small, safe parser (never `eval`).

Xero passes `where` to .NET Dynamic LINQ. The subset clients use is supported:

    Status=="AUTHORISED" AND Type=="ACCREC"
    Contact.ContactID==GUID("...") || Contact.ContactID==Guid("...")
    EmailAddress!=null&&EmailAddress.Contains("@example.com")
    Name.ToLower().StartsWith("abc")   Date>=DateTime(2024,01,31)   IsCustomer==true

Operators: == = != <> < <= > >=, AND/&&, OR/||, NOT/!, parentheses. Keywords and
field names are case-insensitive; string comparisons are too (Xero's SQL collation is).
A string method on a null field is false rather than an error, so null guards are
optional here. Unknown fields are refused with Xero's QueryParseException wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cmp_to_key
from typing import Any

from localdev.xero.accounting.problems import AccountingError, query_parse_error

Row = Mapping[str, Any]
Evaluator = Callable[[Row], Any]


@dataclass(frozen=True)
class Schema:
    """The fields of one record type that `where` and `order` may name.

    ``fields`` maps each canonical (Xero-cased) name to a nested Schema for object
    fields, or None for scalars and lists.
    """

    type_name: str
    fields: Mapping[str, Schema | None]
    _folded: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", {name.casefold(): name for name in self.fields})

    def canonical(self, name: str) -> str | None:
        return self._folded.get(name.casefold())


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>\d+(?:\.\d+)?)[mMdDfF]?
      | (?P<op>==|!=|<>|<=|>=|&&|\|\||[<>=!().,-])
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and": "&&", "or": "||", "not": "!"}
_COMPARISONS = {"==", "=", "!=", "<>", "<", "<=", ">", ">="}
_STRING_METHODS = {"contains", "startswith", "endswith"}
_CASE_METHODS = {"tolower", "toupper", "trim"}


@dataclass(frozen=True)
class _Token:
    kind: str  # string | number | op | ident | end
    text: str
    at: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            at = position + len(text[position:]) - len(text[position:].lstrip())
            raise query_parse_error(f"Syntax error '{text[at]}' (at index {at})")
        kind = match.lastgroup or "op"
        token_text = match.group(kind)
        start = match.start(kind)
        if kind == "ident" and token_text.casefold() in _KEYWORDS:
            tokens.append(_Token("op", _KEYWORDS[token_text.casefold()], start))
        else:
            tokens.append(_Token(kind, token_text, start))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _fold(value: Any) -> Any:
    """Normalise a value for comparison: case-insensitive strings, dates as UTC datetimes."""
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, str):
        return "String"
    if isinstance(value, Decimal):
        return "Decimal"
    if isinstance(value, datetime):
        return "DateTime"
    return type(value).__name__


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _fold(left), _fold(right)
    if op in ("==", "="):
        return left == right
    if op in ("!=", "<>"):
        return left != right
    if left is None or right is None:
        return False
    if type(left) is not type(right):
        raise query_parse_error(
            f"Operator '{op}' incompatible with operand types "
            f"'{_type_name(left)}' and '{_type_name(right)}'"
        )
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else None


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self._text = text
        self._tokens = _tokenize(text)
        self._index = 0
        self._schema = schema

    # -- token helpers -------------------------------------------------------------
    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    def _accept(self, *ops: str) -> _Token | None:
        token = self._peek()
        if token.kind == "op" and token.text in ops:
            self._index += 1
            return token
        return None

    def _expect(self, op: str) -> None:
        token = self._next()
        if token.kind != "op" or token.text != op:
            raise self._error(f"'{op}' expected", token)

    def _error(self, message: str, token: _Token) -> AccountingError:
        return query_parse_error(f"{message} (at index {token.at})")

    # -- grammar -------------------------------------------------------------------
    def parse(self) -> Evaluator:
        expression = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._error("Syntax error", token)
        return expression

    def _or(self) -> Evaluator:
        parts = [self._and()]
        while self._accept("||"):
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        return lambda row: any(_truthy(part(row)) for part in parts)

    def _and(self) -> Evaluator:
        parts = [self._not()]
        while self._accept("&&"):
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]
        return lambda row: all(_truthy(part(row)) for part in parts)

    def _not(self) -> Evaluator:
        if self._accept("!"):
            inner = self._not()
            return lambda row: not _truthy(inner(row))
        return self._comparison()

    def _comparison(self) -> Evaluator:
        left = self._primary()
        token = self._peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self._next()
            right = self._primary()
            op = token.text
            return lambda row: _compare(op, left(row), right(row))
        return left

    def _primary(self) -> Evaluator:
        token = self._next()
        if token.kind == "op" and token.text == "(":
            inner = self._or()
            self._expect(")")
            return inner
        if token.kind == "op" and token.text == "-":
            number = self._next()
            if number.kind != "number":
                raise self._error("Syntax error", number)
            negative = -Decimal(number.text)
            return lambda row: negative
        if token.kind == "string":
            text = _unescape(token.text)
            return lambda row: text
        if token.kind == "number":
            number_value = Decimal(token.text)
            return lambda row: number_value
        if token.kind == "ident":
            return self._identifier(token)
        raise self._error("Expression expected", token)

    def _identifier(self, token: _Token) -> Evaluator:
        word = token.text.casefold()
        if word in ("true", "false"):
            flag = word == "true"
            return lambda row: flag
        if word == "null":
            return lambda row: None
        if word == "guid" and self._peek().text == "(":
            return self._guid()
        if word == "datetime" and self._peek().text == "(":
            return self._datetime()
        return self._member(token)

    def _guid(self) -> Evaluator:
        self._expect("(")
        token = self._next()
        if token.kind != "string":
            raise self._error("Expression of type 'String' expected", token)
        self._expect(")")
        text = _unescape(token.text).strip().casefold()
        if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text):
            raise self._error(f"'{text}' is not a valid GUID", token)
        return lambda row: text

    def _datetime(self) -> Evaluator:
        self._expect("(")
        parts: list[int] = []
        while True:
            token = self._next()
            if token.kind != "number" or "." in token.text:
                raise self._error("Integer expected", token)
            parts.append(int(token.text))
            if not self._accept(","):
                break
        self._expect(")")
        if len(parts) not in (3, 6):
            raise self._error("DateTime takes (year, month, day[, hour, minute, second])", token)
        try:
            moment = datetime(*parts, tzinfo=UTC)  # type: ignore[misc]
        except ValueError as error:
            raise self._error(str(error), token) from error
        return lambda row: moment

    def _member(self, token: _Token) -> Evaluator:
        schema: Schema | None = self._schema
        path: list[str] = []
        evaluator: Evaluator | None = None  # set once a method has been applied
        current = token
        while True:
            if self._peek().text == "(":
                if not path:
                    raise self._error(f"No applicable method '{current.text}' exists", current)
                evaluator = self._method(evaluator or _path_getter(tuple(path)), current)
                schema = None
            else:
                canonical = None if schema is None or evaluator else schema.canonical(current.text)
                if canonical is None or schema is None:
                    owner = "String" if schema is None else schema.type_name
                    raise self._error(
                        f"No property or field '{current.text}' exists in type '{owner}'", current
                    )
                path.append(canonical)
                schema = schema.fields[canonical]
            if not self._accept("."):
                break
            current = self._next()
            if current.kind != "ident":
                raise self._error("Identifier expected", current)
        return evaluator or _path_getter(tuple(path))

    def _method(self, target: Evaluator, token: _Token) -> Evaluator:
        method = token.text.casefold()
        self._expect("(")
        args: list[Evaluator] = []
        if not self._accept(")"):
            args.append(self._or())
            while self._accept(","):
                args.append(self._or())
            self._expect(")")
        if method in _CASE_METHODS and not args:
            transform = {"tolower": str.lower, "toupper": str.upper, "trim": str.strip}[method]
            return lambda row: _string_or_none(target(row), transform)
        if method in _STRING_METHODS and len(args) == 1:
            argument = args[0]
            return lambda row: _string_test(method, target(row), argument(row))
        raise self._error(f"No applicable method '{token.text}' exists", token)


def _path_getter(path: tuple[str, ...]) -> Evaluator:
    if len(path) == 1:
        name = path[0]
        return lambda row: _get(row, name)

    def get(row: Row) -> Any:
        value: Any = row
        for name in path:
            value = _get(value, name)
        return value

    return get


def _string_or_none(value: Any, transform: Callable[[str], str]) -> str | None:
    return transform(value) if isinstance(value, str) else None


def _string_test(method: str, value: Any, argument: Any) -> bool:
    if not isinstance(value, str) or not isinstance(argument, str):
        return False
    haystack, needle = value.casefold(), argument.casefold()
    if method == "contains":
        return needle in haystack
    if method == "startswith":
        return haystack.startswith(needle)
    return haystack.endswith(needle)


def _truthy(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise query_parse_error(f"Expression of type '{_type_name(value)}' is not a condition")


def compile_where(text: str, schema: Schema) -> Callable[[Row], bool]:
    evaluator = _Parser(text, schema).parse()
    return lambda row: _truthy(evaluator(row))


@dataclass(frozen=True)
class OrderKey:
    path: tuple[str, ...]
    descending: bool


def compile_order(text: str, schema: Schema) -> list[OrderKey]:
    """`Name ASC, UpdatedDateUTC DESC` -> keys; unknown fields are a QueryParseException."""
    keys: list[OrderKey] = []
    for clause in text.split(","):
        words = clause.split()
        if not words or len(words) > 2:
            raise query_parse_error(f"Invalid order clause '{clause.strip()}'")
        direction = words[1].casefold() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc", "ascending", "descending"):
            raise query_parse_error(f"Invalid order direction '{words[1]}'")
        current: Schema | None = schema
        path: list[str] = []
        for name in words[0].split("."):
            canonical = None if current is None else current.canonical(name)
            if canonical is None or current is None:
                type_name = schema.type_name if current is None else current.type_name
                raise query_parse_error(
                    f"No property or field '{name}' exists in type '{type_name}'"
                )
            path.append(canonical)
            current = current.fields[canonical]
        keys.append(OrderKey(tuple(path), direction.startswith("desc")))
    return keys


def _order_compare(left: Any, right: Any) -> int:
    # Nulls first (as SQL orders them ascending); other values in their natural order.
    left, right = _fold(left), _fold(right)
    if left is None or right is None:
        return (left is not None) - (right is not None)
    try:
        return (left > right) - (left < right)
    except TypeError:
        return (str(left) > str(right)) - (str(left) < str(right))


def sort_rows(rows: Iterable[Row], keys: list[OrderKey]) -> list[Row]:
    result = list(rows)
    # Stable sorts from the last key to the first give a multi-key order.
    for key in reversed(keys):
        getter = _path_getter(key.path)
        result.sort(
            key=cmp_to_key(lambda a, b, getter=getter: _order_compare(getter(a), getter(b))),
            reverse=key.descending,
        )
    return result
