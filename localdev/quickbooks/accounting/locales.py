"""What differs between a company's countries: currency, zone, tax rates and codes.

AU, UK and CA companies name a tax code on every sales line (Intuit's "global" tax
model); US companies use automated sales tax (since November 2017): a line says only
`TAX` or `NON` and QuickBooks works the tax out from the customer's address. The
emulator stands in for that calculation with one flat rate (`AUTOMATED_RATE`), its
own simplification. Rate and code names follow each country's QuickBooks list; the
Ids are the emulator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# (Name, Description, RateValue)
RateSpec = tuple[str, str, int | float]
# (Name, Description, sales rate names, purchase rate names)
CodeSpec = tuple[str, str, tuple[str, ...], tuple[str, ...]]
US_LINE_CODES = ("TAX", "NON")
AUTOMATED_RATE = Decimal("8.25")  # the emulator's stand-in for automated sales tax


@dataclass(frozen=True)
class Locale:
    country: str
    timezone: str
    currency: tuple[str, str]  # (code, name)
    tax_word: str  # how the "missing tax rate" fault names the tax
    rates: tuple[RateSpec, ...]
    codes: tuple[CodeSpec, ...]
    automated_sales_tax: bool = False

    def currency_ref(self) -> dict[str, str]:
        return {"value": self.currency[0], "name": self.currency[1]}


AU = Locale(
    country="AU",
    timezone="Australia/Sydney",
    currency=("AUD", "Australian Dollar"),
    tax_word="GST",
    rates=(
        ("GST (sales)", "GST on sales", 10),
        ("GST (purchases)", "GST on purchases", 10),
        ("GST free (sales)", "GST free sales", 0),
        ("GST free (purchases)", "GST free purchases", 0),
        ("Export (sales)", "GST free exports", 0),
        ("Input taxed (sales)", "Input taxed sales", 0),
        ("Out of scope", "Not reportable for GST", 0),
    ),
    codes=(
        ("GST", "GST", ("GST (sales)",), ("GST (purchases)",)),
        ("GST free", "GST free", ("GST free (sales)",), ("GST free (purchases)",)),
        ("Export", "GST free exports", ("Export (sales)",), ()),
        ("Input taxed", "Input taxed", ("Input taxed (sales)",), ()),
        ("Out of scope", "Out of scope", ("Out of scope",), ("Out of scope",)),
        ("GST on purchases only", "GST on non-capital purchases", (), ("GST (purchases)",)),
    ),
)
UK = Locale(
    country="GB",  # QuickBooks' CompanyInfo.Country for a UK company
    timezone="Europe/London",
    currency=("GBP", "British Pound Sterling"),
    tax_word="VAT",
    rates=(
        ("20.0% S (sales)", "Standard rate sales", 20),
        ("20.0% S (purchases)", "Standard rate purchases", 20),
        ("5.0% R (sales)", "Reduced rate sales", 5),
        ("0.0% Z (sales)", "Zero rate sales", 0),
        ("Exempt (sales)", "Exempt sales", 0),
        ("No VAT", "Outside the scope of VAT", 0),
    ),
    codes=(
        ("20.0% S", "Standard rate", ("20.0% S (sales)",), ("20.0% S (purchases)",)),
        ("5.0% R", "Reduced rate", ("5.0% R (sales)",), ()),
        ("0.0% Z", "Zero rate", ("0.0% Z (sales)",), ()),
        ("Exempt", "Exempt", ("Exempt (sales)",), ()),
        ("No VAT", "No VAT", ("No VAT",), ("No VAT",)),
    ),
)
CA = Locale(
    country="CA",
    timezone="America/Toronto",
    currency=("CAD", "Canadian Dollar"),
    tax_word="GST/HST",
    rates=(
        ("GST (sales)", "GST on sales", 5),
        ("HST ON (sales)", "HST Ontario on sales", 13),
        ("Zero-rated (sales)", "Zero-rated sales", 0),
        ("Exempt (sales)", "Exempt sales", 0),
    ),
    codes=(
        ("GST", "GST", ("GST (sales)",), ()),
        ("HST ON", "HST Ontario", ("HST ON (sales)",), ()),
        ("Zero-rated", "Zero-rated", ("Zero-rated (sales)",), ()),
        ("Exempt", "Exempt", ("Exempt (sales)",), ()),
    ),
)
US = Locale(
    country="US",
    timezone="America/Los_Angeles",
    currency=("USD", "United States Dollar"),
    tax_word="sales tax",
    rates=(),
    codes=(),
    automated_sales_tax=True,
)
LOCALES: dict[str, Locale] = {"AU": AU, "UK": UK, "GB": UK, "CA": CA, "US": US}
