"""Tax rates on both sides of a tax-rates sync test: the app's (Xero's emulator or Fake
Books, behind the test's app kit) and Loc8's tax types in the Loc8 core emulator."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.domain.accounting import RecordStatus, TaxRate
from localdev.xero import DEMO_TENANT_ID
from localdev.xero.accounting.tax_rates import rates_of
from tests.support.app_kits import AppKit, FakeBooksKit, XeroKit
from tests.support.emulated import TENANT, Emulated
from tests.support.quickbooks_emulated import QuickBooksKit

# Loc8's demo tax types (localdev/loc8/seed.py), which every sync must keep.
LOC8_DEMO_CODES = ("BAS_EXCLUDED", "GST", "GST_FREE")


def loc8_tax_types(emulated: Emulated) -> dict[str, dict]:
    """Loc8's tax types by code, as Loc8 core answers them."""
    return {t["code"]: t for t in emulated.loc8.snapshot(TENANT)["tax_types"]}


def app_sales_rates(kit: AppKit, integration_id: str) -> dict[str, TaxRate]:
    """The app's active rates that apply to sales, by code, as the service reads them."""
    return {
        rate.code: rate
        for rate in kit.app(integration_id).tax_rates()
        if rate.is_active and rate.applies_to_revenue
    }


def add_sales_tax_rate(kit: AppKit, name: str, percent: str) -> str:
    """Someone adds a sales tax rate in the app; its code there."""
    if isinstance(kit, XeroKit):
        created = kit.emulated.xero.seed(
            DEMO_TENANT_ID,
            TaxRates=[
                {
                    "Name": name,
                    "ReportTaxType": "OUTPUT",
                    "TaxComponents": [{"Name": name, "Rate": percent}],
                }
            ],
        )
        return created["TaxRates"][0]
    if isinstance(kit, QuickBooksKit):
        return kit.add_sales_tax_rate(name, percent)
    assert isinstance(kit, FakeBooksKit)
    code = f"S{percent.replace('.', '')}"
    kit.books.tax_rates_list.append(
        TaxRate(code=code, name=name, rate=Decimal(percent), status=RecordStatus.ACTIVE)
    )
    return code


def change_tax_rate(kit: AppKit, code: str, percent: str) -> None:
    """Someone changes a (user-defined) rate's percentage in the app."""
    if isinstance(kit, XeroKit):
        books = kit.emulated.xero.books(DEMO_TENANT_ID)
        with books.lock:
            record = books.tax_rates[code]
            components = [{**record["TaxComponents"][0], "Rate": Decimal(percent)}]
            record["TaxComponents"] = components
            record["DisplayTaxRate"], record["EffectiveRate"] = rates_of(components)
        return
    if isinstance(kit, QuickBooksKit):
        kit.change_tax_rate(code, percent)
        return
    assert isinstance(kit, FakeBooksKit)
    kit.books.tax_rates_list = [
        rate.model_copy(update={"rate": Decimal(percent)}) if rate.code == code else rate
        for rate in kit.books.tax_rates_list
    ]
