"""Reading a request body field by field, the way MYOB validates one: every problem is
collected and answered together in one 400."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from localdev.myob import errors
from localdev.myob.errors import MyobError, ValidationErrors

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CENT = Decimal("0.01")


def money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


class Body:
    """One JSON object under validation; `problems` collects what is wrong."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.problems: list[MyobError] = []

    def name(self, field: str) -> str:
        return f"{self.prefix}{field}"

    def refuse_unknown(self, known: frozenset[str]) -> None:
        # Stricter than MYOB, which ignores what it does not know: a field the file
        # cannot hold must not look saved.
        for field in self.data:
            if field not in known:
                self.problems.append(
                    errors.invalid(
                        self.name(field), f"{self.name(field)} is not a field MYOB holds"
                    )
                )

    def string(self, field: str, max_length: int, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None or value == "":
            if required:
                self.problems.append(errors.required(self.name(field)))
            return None if value is None else ""
        if not isinstance(value, str):
            self.problems.append(
                errors.serialization(self.name(field), f"{value!r} to type 'System.String'")
            )
            return None
        if len(value) > max_length:
            self.problems.append(
                errors.invalid(
                    self.name(field),
                    f"{self.name(field)} cannot be longer than {max_length} characters",
                    "MaxLengthExceeded",
                )
            )
        return value

    def boolean(self, field: str, default: bool | None = None, *, required: bool = False) -> bool:
        value = self.data.get(field)
        if value is None:
            if required:
                self.problems.append(errors.required(self.name(field)))
            return bool(default)
        if not isinstance(value, bool):
            self.problems.append(
                errors.serialization(self.name(field), f"{value!r} to type 'System.Boolean'")
            )
            return bool(default)
        return value

    def decimal(
        self, field: str, *, required: bool = False, default: str | None = None
    ) -> Decimal | None:
        value = self.data.get(field)
        if value is None:
            if required:
                self.problems.append(errors.required(self.name(field)))
            return Decimal(default) if default is not None else None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problems.append(
                errors.serialization(self.name(field), f"{value!r} to type 'System.Decimal'")
            )
            return None
        try:
            return Decimal(str(value))
        except ArithmeticError:
            self.problems.append(
                errors.serialization(self.name(field), f"{value!r} to type 'System.Decimal'")
            )
            return None

    def date(self, field: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None:
            if required:
                self.problems.append(errors.required(self.name(field)))
            return None
        try:
            parsed = datetime.fromisoformat(str(value).replace(" ", "T"))
        except ValueError:
            self.problems.append(
                errors.serialization(self.name(field), f"{value!r} to type 'System.DateTime'")
            )
            return None
        return parsed.replace(tzinfo=None).isoformat(timespec="seconds")

    def choice(
        self, field: str, allowed: tuple[str, ...], default: str | None = None
    ) -> str | None:
        value = self.data.get(field)
        if value is None:
            return default
        if value not in allowed:
            self.problems.append(
                errors.serialization(
                    self.name(field), f"{value!r}: expected one of {', '.join(allowed)}"
                )
            )
            return default
        return str(value)

    def uid_of(self, field: str, *, required: bool = False) -> str | None:
        """The UID inside a link object such as {"UID": "..."}."""
        value = self.data.get(field)
        if value is None:
            if required:
                self.problems.append(errors.required(self.name(field)))
            return None
        uid = value.get("UID") if isinstance(value, dict) else None
        if not isinstance(uid, str) or not _GUID.match(uid):
            self.problems.append(
                errors.serialization(f"{self.name(field)}.UID", f"{uid!r} to type 'System.Guid'")
            )
            return None
        return uid.lower()

    def email(self, field: str) -> str | None:
        value = self.string(field, 255)
        if value and not _EMAIL.match(value):
            self.problems.append(
                errors.invalid(self.name(field), f"{self.name(field)} is not a valid email address")
            )
        return value

    def nested(self, data: Any, prefix: str) -> Body | None:
        if not isinstance(data, dict):
            self.problems.append(errors.serialization(prefix.rstrip("."), "to an object"))
            return None
        child = Body(data, f"{self.prefix}{prefix}")
        child.problems = self.problems  # one list for the whole request
        return child

    def add(self, problem: MyobError) -> None:
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationErrors(list(self.problems))
