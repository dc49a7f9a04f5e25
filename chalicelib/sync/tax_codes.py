"""Which app tax type a Loc8 tax type code stands for.

After the tax-rates sync Loc8 uses the app's codes, but records made before it may
still carry Loc8's own codes (e.g. "GST" where the app has its own code). Those are
translated by the tax type's name, then by a unique rate; anything else is left
out so the app applies the account's default tax.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.sync.framework import SyncContext


@dataclass
class TaxCodeResolver:
    context: SyncContext
    _translation: dict[str, str | None] | None = field(default=None, init=False)

    def app_code(self, loc8_code: str | None) -> str | None:
        if not loc8_code:
            return None
        if self._translation is None:
            self._translation = self._build()
        return self._translation.get(loc8_code)

    def _build(self) -> dict[str, str | None]:
        rates = [r for r in self.context.app.tax_rates() if r.is_active and r.applies_to_revenue]
        by_code = {r.code: r.code for r in rates}
        by_name = {r.name.casefold(): r.code for r in rates}
        by_rate: dict[str, list[str]] = {}
        for rate in rates:
            by_rate.setdefault(format(rate.rate.normalize(), "f"), []).append(rate.code)
        translation: dict[str, str | None] = dict(by_code)
        for tax_type in self.context.loc8.tax_types(self.context.tenant_id):
            if tax_type.code in translation:
                continue
            same_rate = by_rate.get(format(tax_type.rate.normalize(), "f"), [])
            translation[tax_type.code] = by_name.get(tax_type.name.casefold()) or (
                same_rate[0] if len(same_rate) == 1 else None
            )
        return translation
