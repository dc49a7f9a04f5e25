"""Which app tax rate each Loc8 tax type stands for, and what Loc8 needs to match the app.

Pure rules, no calls. Loc8's tax types keep their identity (id and code): line items
and invoices refer to them, so a type is never replaced, only brought to the app's
rate and name. A Loc8 type is matched to one of the app's active revenue rates, in
this order:

1. the config's explicit mapping (`tax_rate_mappings`; None there means "no
   counterpart, leave it as it is");
2. the same code (a type the sync added carries the app's code);
3. the same name, ignoring case and spaces;
4. the same rate, when exactly one revenue rate has it.

Several Loc8 types may stand for one app rate (an old type and its replacement, say):
all of them take the app's rate, but only one takes its name, so Loc8 never shows the
same name twice because of the sync. Inactive Loc8 types are matched (old invoices
still carry them) but never changed. An app rate that no active Loc8 type stands for
is added to Loc8 under a code derived from the app's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from chalicelib.domain.accounting import TaxRate
from chalicelib.domain.errors import FieldProblem
from chalicelib.domain.loc8 import (
    Loc8TaxType,
    Loc8TaxTypeChange,
    Loc8TaxTypeDraft,
    loc8_rate,
)

LOC8_CODE_MAX_LENGTH = 50
LOC8_NAME_MAX_LENGTH = 100
_NOT_A_CODE_CHARACTER = re.compile(r"[^A-Za-z0-9_.-]")


class MatchedBy(StrEnum):
    MAPPING = "mapping"
    CODE = "code"
    NAME = "name"
    RATE = "rate"


# Which match keeps the app's name when several Loc8 types stand for one rate.
_NAME_PRIORITY = (MatchedBy.MAPPING, MatchedBy.CODE, MatchedBy.NAME, MatchedBy.RATE)


@dataclass(frozen=True)
class TaxTypeMatch:
    """One Loc8 tax type and the app rate it stands for (None: no counterpart)."""

    tax_type: Loc8TaxType
    rate: TaxRate | None
    matched_by: MatchedBy | None
    # Why a type has no counterpart, when the config says something about it.
    note: str | None = None


@dataclass(frozen=True)
class TaxTypeUpdate:
    tax_type: Loc8TaxType
    change: Loc8TaxTypeChange


@dataclass(frozen=True)
class TaxMatching:
    matches: list[TaxTypeMatch]  # every Loc8 tax type, in code order
    to_add: list[Loc8TaxTypeDraft]  # app rates no active Loc8 type stands for
    updates: list[TaxTypeUpdate]  # active matched types whose rate or name differs

    def app_code(self, loc8_code: str) -> str | None:
        """The app's code for a Loc8 one; None when the type has no counterpart."""
        for match in self.matches:
            if match.tax_type.code == loc8_code:
                return match.rate.code if match.rate else None
        return None

    def loc8_code(self, app_code: str) -> str | None:
        """The active Loc8 type that carries an app rate's name (or any active one
        standing for it); None when Loc8 has none yet."""
        standing_for = [
            m for m in self.matches if m.tax_type.active and m.rate and m.rate.code == app_code
        ]
        if not standing_for:
            return None
        return _name_keeper(standing_for).tax_type.code

    def unmatched(self) -> list[TaxTypeMatch]:
        """Active Loc8 types with no app counterpart: left as they are, and reported."""
        return [m for m in self.matches if m.tax_type.active and m.rate is None]


def revenue_rates(rates: Iterable[TaxRate]) -> list[TaxRate]:
    """The rates a Loc8 invoice line may carry: active and applicable to sales."""
    return sorted(
        (rate for rate in rates if rate.is_active and rate.applies_to_revenue),
        key=lambda rate: rate.code,
    )


def same_name(one: str, other: str) -> bool:
    return _name_key(one) == _name_key(other)


def match_tax_types(
    tax_types: Iterable[Loc8TaxType],
    app_rates: Iterable[TaxRate],
    mapping: Mapping[str, str | None],
) -> TaxMatching:
    revenue = revenue_rates(app_rates)
    by_code = {rate.code: rate for rate in revenue}
    ordered = sorted(tax_types, key=lambda tax_type: tax_type.code)
    matches = [_match_one(tax_type, revenue, by_code, mapping) for tax_type in ordered]
    return TaxMatching(
        matches=matches,
        to_add=_additions(revenue, matches),
        updates=_updates(matches),
    )


def _match_one(
    tax_type: Loc8TaxType,
    revenue: list[TaxRate],
    by_code: dict[str, TaxRate],
    mapping: Mapping[str, str | None],
) -> TaxTypeMatch:
    if tax_type.code in mapping:
        chosen = mapping[tax_type.code]
        if chosen is None:
            return TaxTypeMatch(tax_type, None, None, "set to no counterpart in the settings")
        rate = by_code.get(chosen)
        if rate is None:
            return TaxTypeMatch(
                tax_type,
                None,
                None,
                f"mapped in the settings to {chosen}, which is not an active sales tax rate",
            )
        return TaxTypeMatch(tax_type, rate, MatchedBy.MAPPING)
    same_code = [r for r in revenue if r.code.casefold() == tax_type.code.casefold()]
    if len(same_code) == 1:
        return TaxTypeMatch(tax_type, same_code[0], MatchedBy.CODE)
    named = [r for r in revenue if same_name(r.name, tax_type.name)]
    if len(named) == 1:
        return TaxTypeMatch(tax_type, named[0], MatchedBy.NAME)
    same_rate = [r for r in revenue if r.rate == tax_type.rate]
    if len(same_rate) == 1:
        return TaxTypeMatch(tax_type, same_rate[0], MatchedBy.RATE)
    if len(same_rate) > 1:
        codes = ", ".join(sorted(r.code for r in same_rate))
        return TaxTypeMatch(
            tax_type, None, None, f"{len(same_rate)} sales tax rates have its rate ({codes})"
        )
    return TaxTypeMatch(tax_type, None, None)


def _name_keeper(standing_for: list[TaxTypeMatch]) -> TaxTypeMatch:
    """The one Loc8 type, of several standing for one app rate, that takes its name."""

    def preference(match: TaxTypeMatch) -> tuple[bool, int, str]:
        app_name = match.rate.name if match.rate else ""
        how = match.matched_by
        return (
            not same_name(match.tax_type.name, app_name),
            _NAME_PRIORITY.index(how) if how else len(_NAME_PRIORITY),
            match.tax_type.code,
        )

    return min(standing_for, key=preference)


def _updates(matches: list[TaxTypeMatch]) -> list[TaxTypeUpdate]:
    by_rate: dict[str, tuple[TaxRate, list[TaxTypeMatch]]] = {}
    for match in matches:
        if match.tax_type.active and match.rate is not None:
            by_rate.setdefault(match.rate.code, (match.rate, []))[1].append(match)
    updates = []
    for rate, standing_for in by_rate.values():
        keeper = _name_keeper(standing_for)
        for match in standing_for:
            tax_type = match.tax_type
            wanted_name = _loc8_name(rate.name) if match is keeper else tax_type.name
            wanted_rate = loc8_rate(rate.rate)
            change = Loc8TaxTypeChange(
                name=wanted_name if wanted_name != tax_type.name else None,
                rate=wanted_rate if wanted_rate != tax_type.rate else None,
            )
            if change.name is not None or change.rate is not None:
                updates.append(TaxTypeUpdate(tax_type, change))
    return sorted(updates, key=lambda update: update.tax_type.code)


def _additions(revenue: list[TaxRate], matches: list[TaxTypeMatch]) -> list[Loc8TaxTypeDraft]:
    covered = {m.rate.code for m in matches if m.tax_type.active and m.rate is not None}
    taken = {m.tax_type.code.casefold() for m in matches}
    drafts = []
    for rate in revenue:
        if rate.code in covered:
            continue
        code = _free_code(rate.code, taken)
        taken.add(code.casefold())
        drafts.append(
            Loc8TaxTypeDraft(code=code, name=_loc8_name(rate.name), rate=loc8_rate(rate.rate))
        )
    return drafts


def _free_code(app_code: str, taken: set[str]) -> str:
    """The app's code as a Loc8 code: only the characters Loc8 allows, unique in the
    tenant ignoring case (a clash gets _2, _3, ...)."""
    base = _NOT_A_CODE_CHARACTER.sub("_", app_code)[:LOC8_CODE_MAX_LENGTH] or "TAX"
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f"_{number}"
        candidate = base[: LOC8_CODE_MAX_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def _loc8_name(name: str) -> str:
    return name.strip()[:LOC8_NAME_MAX_LENGTH] or "Tax"


def _name_key(name: str) -> str:
    return "".join(name.split()).casefold()


def describe_rate(rate: Decimal) -> str:
    return f"{format(loc8_rate(rate), 'f')}%"


def tax_mapping_problems(
    mapping: Mapping[str, str | None],
    app_rates: Iterable[TaxRate],
    loc8_codes: set[str],
    app_name: str,
) -> list[FieldProblem]:
    """Every reason the config's tax mapping cannot be saved, one per Loc8 tax type."""
    rates = {rate.code: rate for rate in app_rates}
    problems = []
    for loc8_code, app_code in sorted(mapping.items()):
        field = f"tax_rate_mappings.{loc8_code}"
        if loc8_code not in loc8_codes:
            problems.append(FieldProblem(field, f"Loc8 has no tax type {loc8_code}."))
            continue
        if app_code is None:
            continue
        rate = rates.get(app_code)
        if rate is None:
            problems.append(
                FieldProblem(field, f"Tax rate {app_code} does not exist in {app_name}.")
            )
        elif not rate.is_active:
            problems.append(
                FieldProblem(field, f"Tax rate {app_code} is {rate.status.lower()} in {app_name}.")
            )
        elif not rate.applies_to_revenue:
            problems.append(
                FieldProblem(
                    field,
                    f"Tax rate {app_code} ({rate.name}) does not apply to sales in "
                    f"{app_name}; choose a sales tax rate.",
                )
            )
    return problems
