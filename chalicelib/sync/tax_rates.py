"""Tax rates: the app is the source of truth; its active rates replace Loc8's tax types."""

from __future__ import annotations

import hashlib
import json

from chalicelib.domain.accounting import TaxRate
from chalicelib.domain.loc8 import Loc8TaxType, Loc8TaxTypeDraft
from chalicelib.sync.framework import Direction, SyncContext

FINGERPRINT = "tax_rates#fingerprint"


def wanted_tax_types(rates: list[TaxRate]) -> list[Loc8TaxTypeDraft]:
    # Loc8 invoices are sales: a rate that cannot apply to revenue (e.g. GST on
    # expenses) would only be rejected by the app on an invoice line.
    return sorted(
        (
            Loc8TaxTypeDraft(code=rate.code, name=rate.name, rate=rate.rate)
            for rate in rates
            if rate.is_active and rate.applies_to_revenue
        ),
        key=lambda draft: draft.code,
    )


def fingerprint(drafts: list[Loc8TaxTypeDraft]) -> str:
    canonical = json.dumps([d.model_dump(mode="json") for d in drafts], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class TaxRatesSyncer:
    domain = "tax_rates"

    def sync(self, context: SyncContext) -> None:
        counts = context.counts(self.domain, Direction.TO_LOC8)
        wanted = wanted_tax_types(context.app.tax_rates())
        context.check_budget()
        current = fingerprint(wanted)
        if context.cursor(FINGERPRINT) == current:
            # Nothing changed in the app since Loc8 last took its rates: no Loc8 call.
            counts.unchanged += len(wanted)
            return
        before = {tax_type.code: tax_type for tax_type in context.loc8.tax_types(context.tenant_id)}
        context.loc8.replace_tax_types(
            context.tenant_id, wanted, idempotency_key=f"{context.run.id}:tax_rates:{current[:16]}"
        )
        for draft in wanted:
            existing = before.get(draft.code)
            if existing is None:
                counts.created += 1
            elif _same(existing, draft):
                counts.unchanged += 1
            else:
                counts.updated += 1
        wanted_codes = {draft.code for draft in wanted}
        counts.updated += sum(
            1 for code, t in before.items() if t.active and code not in wanted_codes
        )
        context.save_cursor(FINGERPRINT, current)


def _same(existing: Loc8TaxType, draft: Loc8TaxTypeDraft) -> bool:
    return existing.active and existing.name == draft.name and existing.rate == draft.rate
