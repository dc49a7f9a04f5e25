"""Tax rates: Loc8's tax types take the app's rates in place; the app's rates Loc8 lacks
are added. Nothing is replaced or deactivated, so every line item and invoice keeps a
valid tax type (the rules are in domain/tax_matching.py).

A run where neither the app's rates nor the config's mapping changed costs no Loc8
call: the fingerprint of both is kept once Loc8 has taken them all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from chalicelib.domain.accounting import TaxRate
from chalicelib.domain.loc8 import loc8_rate
from chalicelib.domain.loc8_errors import Loc8Conflict, Loc8ValidationFailed
from chalicelib.domain.tax_matching import (
    TaxMatching,
    TaxTypeMatch,
    describe_rate,
    match_tax_types,
    revenue_rates,
)
from chalicelib.sync.framework import Direction, SyncContext

DOMAIN = "tax_rates"
FINGERPRINT = "tax_rates#fingerprint"


def fingerprint(rates: Iterable[TaxRate], mapping: Mapping[str, str | None]) -> str:
    canonical = json.dumps(
        {
            "rates": [
                [rate.code, rate.name, format(loc8_rate(rate.rate), "f")]
                for rate in revenue_rates(rates)
            ],
            "mapping": dict(mapping),
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class TaxRatesSyncer:
    domain = DOMAIN
    app_positions: tuple[str, ...] = ()

    def sync(self, context: SyncContext) -> None:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        rates = context.app.tax_rates()
        context.check_budget()
        mapping = context.config.tax_rate_mappings
        current = fingerprint(rates, mapping)
        saved = _read_saved(context.cursor(FINGERPRINT))
        if saved is not None and saved[0] == current:
            # Nothing changed in the app or the mapping since Loc8 took it all: no Loc8 call.
            counts.unchanged += saved[1]
            return
        matching = match_tax_types(context.loc8.tax_types(context.tenant_id), rates, mapping)
        updated_all = self._update(context, matching)
        added_all = self._add(context, matching)
        in_step = sum(1 for m in matching.matches if m.tax_type.active and m.rate is not None)
        counts.unchanged += in_step - len(matching.updates)
        for match in matching.unmatched():
            context.record_note(DOMAIN, match.tax_type.code, _unmatched_note(match, context))
        if updated_all and added_all:
            # Every write landed; a refused one is tried again by the next run.
            context.save_cursor(FINGERPRINT, json.dumps([current, in_step + len(matching.to_add)]))

    @staticmethod
    def _update(context: SyncContext, matching: TaxMatching) -> bool:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        all_written = True
        for update in matching.updates:
            try:
                context.loc8.update_tax_type(
                    context.tenant_id,
                    update.tax_type.id,
                    update.change,
                    idempotency_key=_key(context, "update", update.tax_type.id, update.change),
                )
            except (Loc8ValidationFailed, Loc8Conflict) as refused:
                context.record_error(
                    DOMAIN, Direction.TO_LOC8, update.tax_type.code, refused.message
                )
                all_written = False
                continue
            counts.updated += 1
        return all_written

    @staticmethod
    def _add(context: SyncContext, matching: TaxMatching) -> bool:
        counts = context.counts(DOMAIN, Direction.TO_LOC8)
        all_written = True
        for draft in matching.to_add:
            try:
                context.loc8.create_tax_type(
                    context.tenant_id,
                    draft,
                    idempotency_key=_key(context, "create", draft.code, draft),
                )
            except (Loc8ValidationFailed, Loc8Conflict) as refused:
                context.record_error(DOMAIN, Direction.TO_LOC8, draft.code, refused.message)
                all_written = False
                continue
            counts.created += 1
        return all_written


def _key(context: SyncContext, action: str, subject: str, body: BaseModel) -> str:
    """The same write again (a lost reply, a re-run job) under the same key; another
    write to the same tax type under another."""
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()[:16]
    return f"{context.scope.key(DOMAIN)}:{action}:{subject}:{digest}"


def _unmatched_note(match: TaxTypeMatch, context: SyncContext) -> str:
    tax_type = match.tax_type
    left = f"Loc8 tax type {tax_type.name} ({describe_rate(tax_type.rate)}) was left as it is"
    mapping = context.config.tax_rate_mappings
    if tax_type.code in mapping and mapping[tax_type.code] is None:
        return f"{left}: {match.note}."  # the admin chose this; nothing to advise
    why = match.note or f"no {context.app_name} sales tax rate has its name or rate"
    return (
        f"{left}: {why}. Choose its {context.app_name} tax rate in the settings to keep it "
        "in step, and to send invoices that use it."
    )


def _read_saved(value: str | None) -> tuple[str, int] | None:
    """(fingerprint, tax types in step) from the cursor; None for none or an old form."""
    try:
        saved = json.loads(value) if value else None
    except ValueError:
        return None
    if isinstance(saved, list) and len(saved) == 2:
        fingerprint_value, in_step = saved
        if isinstance(fingerprint_value, str) and isinstance(in_step, int):
            return fingerprint_value, in_step
    return None
