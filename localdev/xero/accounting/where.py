"""The `where` and `order` query parameters: a small, safe parser (never `eval`).

Xero passes `where` to .NET Dynamic LINQ. The subset clients use is supported:

    Status=="AUTHORISED" AND Type=="ACCREC"
    Contact.ContactID==GUID("...") || Contact.ContactID==Guid("...")
    EmailAddress!=null&&EmailAddress.Contains("@example.com")
    Name.ToLower().StartsWith("abc")   Date>=DateTime(2024,01,31)   IsCustomer==true

Operators: == = != <> < <= > >=, AND/&&, OR/||, NOT/!, parentheses. Keywords and
field names are case-insensitive; string comparisons are too (Xero's SQL collation is).

Checked when the filter is parsed, as Dynamic LINQ does, so a bad filter fails whatever
the data (see RULES.md):
- operands are typed: a Boolean, Guid, DateTime or Decimal field compared with a string
  (or any two different types) is "Operator '==' incompatible with operand types ...";
- a method on an optional field must follow a `Field != null` guard earlier in the same
  AND chain, else "Where clause invocation error- Operations on optional fields must be
  preceded by a null guard ...". Unknown fields are refused with Xero's wording too.
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


# Operand types, named as .NET names them in Xero's error messages.
STRING, BOOLEAN, GUID, DATETIME, DECIMAL, NULL, LIST = (
    "String",
    "Boolean",
    "Guid",
    "DateTime",
    "Decimal",
    "null",
    "List",
)
_LISTS = frozenset(
    {"Addresses", "Phones", "LineItems", "ContactGroups", "ContactPersons", "TaxComponents"}
)
_DECIMALS = frozenset(
    {
        "SubTotal",
        "TotalTax",
        "Total",
        "AmountDue",
        "AmountPaid",
        "AmountCredited",
        "CurrencyRate",
        "Amount",
        "BankAmount",
        "UnitPrice",
        "QuantityOnHand",
        "TotalCostPool",
        "DisplayTaxRate",
        "EffectiveRate",
    }
)
_BOOLEAN_NAMES = frozenset({"SentToContact"})
_BOOLEAN_PREFIXES = ("Is", "Has", "Can", "Enable", "Show")


def kind_of(name: str) -> str:
    """A scalar field's type, from Xero's naming (spec: *ID uuid, Is*/Has* boolean...)."""
    if name in _LISTS:
        return LIST
    if name in _DECIMALS:
        return DECIMAL
    if name.endswith("ID"):
        return GUID
    if name.endswith(("Date", "DateUTC")):
        return DATETIME
    if name in _BOOLEAN_NAMES or any(
        name.startswith(prefix) and name[len(prefix) : len(prefix) + 1].isupper()
        for prefix in _BOOLEAN_PREFIXES
    ):
        return BOOLEAN
    return STRING


@dataclass(frozen=True)
class Schema:
    """The fields of one record type that `where` and `order` may name.

    ``fields`` maps each canonical (Xero-cased) name to a nested Schema for object
    fields, or None for scalars and lists. ``required`` names the string fields every
    record has; any other string field is optional and needs a null guard before a
    method is called on it.
    """

    type_name: str
    fields: Mapping[str, Schema | None]
    required: frozenset[str] = frozenset()
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
        return bool(left == right)
    if op in ("!=", "<>"):
        return bool(left != right)
    if left is None or right is None:
        return False
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else None


@dataclass(frozen=True)
class _Typed:
    """A parsed operand: how to evaluate it, its static type, and the field path it
    reads (for null guards), if it is a plain field."""

    evaluate: Evaluator
    kind: str
    path: tuple[str, ...] | None = None
    optional: bool = False


_ORDERED = frozenset({DECIMAL, DATETIME, STRING})
NULL_GUARD_MESSAGE = (
    "Where clause invocation error- Operations on optional fields must be preceded by "
    "a null guard, e.g. [FieldName] != null"
)


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self._text = text
        self._tokens = _tokenize(text)
        self._index = 0
        self._schema = schema
        # Optional fields a `Field != null` earlier in the current AND chain guards.
        self._guarded: set[tuple[str, ...]] = set()

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
        if expression.kind not in (BOOLEAN, NULL):
            raise query_parse_error(f"Expression of type '{expression.kind}' expected 'Boolean'")
        return expression.evaluate

    def _or(self) -> _Typed:
        outer = set(self._guarded)
        parts = [self._and()]
        while self._accept("||"):
            self._guarded = set(outer)  # a guard on one side of OR covers nothing on the other
            parts.append(self._and())
        self._guarded = outer
        if len(parts) == 1:
            return parts[0]
        evaluators = [part.evaluate for part in parts]
        return _Typed(lambda row: any(_truthy(e(row)) for e in evaluators), BOOLEAN)

    def _and(self) -> _Typed:
        parts = [self._not()]
        while self._accept("&&"):
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]
        evaluators = [part.evaluate for part in parts]
        return _Typed(lambda row: all(_truthy(e(row)) for e in evaluators), BOOLEAN)

    def _not(self) -> _Typed:
        if self._accept("!"):
            saved = set(self._guarded)
            inner = self._not()
            self._guarded = saved  # !(X != null) guards nothing
            return _Typed(lambda row: not _truthy(inner.evaluate(row)), BOOLEAN)
        return self._comparison()

    def _comparison(self) -> _Typed:
        left = self._primary()
        token = self._peek()
        if not (token.kind == "op" and token.text in _COMPARISONS):
            return left
        self._next()
        right = self._primary()
        op = token.text
        self._check_operands(op, left, right, token)
        if op in ("!=", "<>"):
            for field_side, other in ((left, right), (right, left)):
                if field_side.path is not None and other.kind == NULL:
                    self._guarded.add(field_side.path)
        evaluate_left, evaluate_right = left.evaluate, right.evaluate
        return _Typed(lambda row: _compare(op, evaluate_left(row), evaluate_right(row)), BOOLEAN)

    def _check_operands(self, op: str, left: _Typed, right: _Typed, token: _Token) -> None:
        kinds = (left.kind, right.kind)
        equality = op in ("==", "=", "!=", "<>")
        if NULL in kinds:
            allowed = equality and LIST not in kinds
        else:
            same = left.kind == right.kind and left.kind != LIST
            allowed = same and (equality or left.kind in _ORDERED)
        if allowed:
            return
        raise self._error(
            f"Operator '{op}' incompatible with operand types '{left.kind}' and '{right.kind}'",
            token,
        )

    def _primary(self) -> _Typed:
        token = self._next()
        if token.kind == "op" and token.text == "(":
            inner = self._or()
            self._expect(")")
            return _Typed(inner.evaluate, inner.kind)
        if token.kind == "op" and token.text == "-":
            number = self._next()
            if number.kind != "number":
                raise self._error("Syntax error", number)
            negative = -Decimal(number.text)
            return _Typed(lambda row: negative, DECIMAL)
        if token.kind == "string":
            text = _unescape(token.text)
            return _Typed(lambda row: text, STRING)
        if token.kind == "number":
            number_value = Decimal(token.text)
            return _Typed(lambda row: number_value, DECIMAL)
        if token.kind == "ident":
            return self._identifier(token)
        raise self._error("Expression expected", token)

    def _identifier(self, token: _Token) -> _Typed:
        word = token.text.casefold()
        if word in ("true", "false"):
            flag = word == "true"
            return _Typed(lambda row: flag, BOOLEAN)
        if word == "null":
            return _Typed(lambda row: None, NULL)
        if word == "guid" and self._peek().text == "(":
            return _Typed(self._guid(), GUID)
        if word == "datetime" and self._peek().text == "(":
            return _Typed(self._datetime(), DATETIME)
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

    def _member(self, token: _Token) -> _Typed:
        schema: Schema | None = self._schema
        path: list[str] = []
        typed: _Typed | None = None  # set once a method has been applied
        optional = False
        current = token
        while True:
            if self._peek().text == "(":
                if not path:
                    raise self._error(f"No applicable method '{current.text}' exists", current)
                target = typed or _Typed(_path_getter(tuple(path)), STRING, tuple(path), optional)
                typed = self._method(target, current)
                schema = None
            else:
                canonical = None if schema is None or typed else schema.canonical(current.text)
                if canonical is None or schema is None:
                    owner = "String" if schema is None else schema.type_name
                    raise self._error(
                        f"No property or field '{current.text}' exists in type '{owner}'", current
                    )
                path.append(canonical)
                optional = canonical not in schema.required  # the leaf decides
                schema = schema.fields[canonical]
            if not self._accept("."):
                break
            current = self._next()
            if current.kind != "ident":
                raise self._error("Identifier expected", current)
        if typed is not None:
            return typed
        leaf = path[-1]
        kind = "Object" if schema is not None else kind_of(leaf)
        return _Typed(_path_getter(tuple(path)), kind, tuple(path), optional)

    def _method(self, target: _Typed, token: _Token) -> _Typed:
        method = token.text.casefold()
        self._expect("(")
        args: list[_Typed] = []
        if not self._accept(")"):
            args.append(self._or())
            while self._accept(","):
                args.append(self._or())
            self._expect(")")
        if target.path is not None:
            kind = kind_of(target.path[-1])
            if kind != STRING:
                raise self._error(
                    f"No applicable method '{token.text}' exists in type '{kind}'", token
                )
            if target.optional and target.path not in self._guarded:
                raise query_parse_error(NULL_GUARD_MESSAGE)
        evaluate = target.evaluate
        if method in _CASE_METHODS and not args:
            transform = {"tolower": str.lower, "toupper": str.upper, "trim": str.strip}[method]
            return _Typed(lambda row: _string_or_none(evaluate(row), transform), STRING)
        if method in _STRING_METHODS and len(args) == 1:
            if args[0].kind != STRING:
                raise self._error(
                    f"No applicable method '{token.text}' exists for type '{args[0].kind}'",
                    token,
                )
            argument = args[0].evaluate
            return _Typed(lambda row: _string_test(method, evaluate(row), argument(row)), BOOLEAN)
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
