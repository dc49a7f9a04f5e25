"""Companies of other countries: their currency, tax codes and how invoices are taxed
(UK and CA name a code per line like AU; US companies use automated sales tax)."""

from __future__ import annotations

from localdev.emukit import RunningServer
from localdev.quickbooks import QuickBooksEmulator
from tests.support.quickbooks_api import Api, fault_of, item_id
from tests.support.quickbooks_emulator_fixtures import connect, qbo_emulator, qbo_server

__all__ = ["qbo_emulator", "qbo_server"]  # fixtures used by name below


def _company_api(emulator: QuickBooksEmulator, server: RunningServer, country: str) -> Api:
    company = emulator.add_company(f"{country} Field Services", country)
    api = Api(server.url, connect(emulator, server.url, realm_id=company.realm_id))
    api.realm_id = company.realm_id
    services = api.rows("select * from Account where Name = 'Services'")[0]["Id"]
    api.create(
        "Item",
        {"Name": "Labour", "Type": "Service", "IncomeAccountRef": {"value": services}},
    )
    api.create("Customer", {"DisplayName": "First Customer"})
    return api


def _line(api: Api, amount: float, tax_code: str | None) -> dict[str, object]:
    detail: dict[str, object] = {"ItemRef": {"value": item_id(api, "Labour")}}
    if tax_code is not None:
        detail["TaxCodeRef"] = {"value": tax_code}
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}


def _invoice(api: Api, *lines: dict[str, object], **extra: object) -> object:
    customer = api.rows("select * from Customer")[0]["Id"]
    return api.post("/invoice", {"CustomerRef": {"value": customer}, "Line": list(lines), **extra})


def test_a_us_company_taxes_tax_lines_automatically_and_takes_only_tax_or_non(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    api = _company_api(qbo_emulator, qbo_server, "US")

    codes = sorted(code["Id"] for code in api.rows("select * from TaxCode"))
    invoice = _invoice(api, _line(api, 100, "TAX"), _line(api, 50, "NON"), _line(api, 10, None))
    gst = _invoice(api, _line(api, 100, "GST"))
    global_tax = _invoice(api, _line(api, 100, "TAX"), GlobalTaxCalculation="TaxExcluded")

    assert codes == ["NON", "TAX"]
    created = invoice.json()["Invoice"]
    assert (created["TxnTaxDetail"]["TotalTax"], created["TotalAmt"]) == (8.25, 168.25)
    assert created["CurrencyRef"]["value"] == "USD"
    assert "GlobalTaxCalculation" not in created
    assert [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in created["Line"][:3]] == [
        "TAX",
        "NON",
        "NON",
    ]
    assert (fault_of(gst)["code"], fault_of(gst)["Detail"]) == (
        "6100",
        "Valid Line TaxCodes for US should be TAX or NON. Supplied value:GST",
    )
    assert fault_of(global_tax)["code"] == "6000"
    info = api.get(f"/companyinfo/{api.realm_id}").json()["CompanyInfo"]
    assert info["Country"] == "US"


def test_a_uk_company_names_a_vat_code_per_line(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    api = _company_api(qbo_emulator, qbo_server, "UK")
    standard = api.rows("select * from TaxCode where Name = '20.0% S'")[0]["Id"]

    invoice = _invoice(api, _line(api, 100, standard)).json()["Invoice"]
    missing = _invoice(api, _line(api, 100, None))

    assert (invoice["TotalAmt"], invoice["CurrencyRef"]["value"]) == (120, "GBP")
    assert fault_of(missing)["Detail"] == (
        "Business Validation Error: Make sure all your transactions have a VAT rate before "
        "you save."
    )
    assert api.get(f"/companyinfo/{api.realm_id}").json()["CompanyInfo"]["Country"] == "GB"


def test_a_canadian_company_asks_for_a_gst_hst_rate(
    qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    api = _company_api(qbo_emulator, qbo_server, "CA")
    hst = api.rows("select * from TaxCode where Name = 'HST ON'")[0]["Id"]

    invoice = _invoice(api, _line(api, 100, hst)).json()["Invoice"]
    missing = _invoice(api, _line(api, 100, None))

    assert (invoice["TotalAmt"], invoice["CurrencyRef"]["value"]) == (113, "CAD")
    assert "have a GST/HST rate before you save" in fault_of(missing)["Detail"]
