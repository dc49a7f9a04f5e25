"""Which app tax rate a Loc8 tax type stands for, and back, as the tax-rates sync
matches them (domain/tax_matching.py): the config's mapping, then code, name, and a
unique rate. A Loc8 type with no counterpart gives None, so the line is reported
rather than sent with a guessed tax. Read once a run, on first use (`tax_codes_of`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.tax_matching import TaxMatching, match_tax_types
from chalicelib.sync.framework import SyncContext


@dataclass
class TaxCodeResolver:
    context: SyncContext
    _matching: TaxMatching | None = field(default=None, init=False)

    def app_code(self, loc8_code: str | None) -> str | None:
        """The app's tax rate code for a Loc8 tax type code."""
        if not loc8_code:
            return None
        return self._matched().app_code(loc8_code)

    def loc8_code(self, app_code: str | None) -> str | None:
        """The Loc8 tax type code that stands for an app tax rate (None: Loc8 has none)."""
        if not app_code:
            return None
        return self._matched().loc8_code(app_code)

    def _matched(self) -> TaxMatching:
        if self._matching is None:
            context = self.context
            self._matching = match_tax_types(
                context.loc8.tax_types(context.tenant_id),
                context.app.tax_rates(),
                context.config.tax_rate_mappings,
            )
        return self._matching


def tax_codes_of(context: SyncContext) -> TaxCodeResolver:
    """The run's one resolver, shared by the line items and invoices syncers, so Loc8's
    tax types and the app's rates are read once a run. It is first used after the
    tax-rates step (the first) has written, and no later step changes tax types."""
    resolver = context.run_lookups.get("tax_codes")
    if resolver is None:
        resolver = context.run_lookups["tax_codes"] = TaxCodeResolver(context)
    return resolver
