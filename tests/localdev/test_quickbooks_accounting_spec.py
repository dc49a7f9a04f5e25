"""The emulator's records and answers against Intuit's own schema (the v3 XSD).

Skipped, with the reason, when the XSD is not beside the checkout. Every JSON answer in
the other QuickBooks accounting tests is checked too (tests/support/quickbooks_api.py).
"""

from __future__ import annotations

import pytest
import requests

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from localdev.quickbooks.accounting import schema
from tests.support import quickbooks_xsd
from tests.support.quickbooks_api import Api, gst_code_id, item_id, qbo_api, sales_line
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below

pytestmark = pytest.mark.skipif(
    not quickbooks_xsd.available(), reason=quickbooks_xsd.MISSING_REASON
)
INHERITED = {
    "Id",
    "SyncToken",
    "MetaData",
    "CustomField",
    "AttachableRef",
    "domain",
    "status",
    "sparse",
}


@pytest.mark.parametrize(
    ("type_name", "kinds"),
    [
        ("Customer", schema.CUSTOMER_KINDS),
        ("Item", schema.ITEM_KINDS),
        ("Account", schema.ACCOUNT_KINDS),
        ("TaxCode", schema.TAX_CODE_KINDS),
        ("TaxRate", schema.TAX_RATE_KINDS),
        ("Invoice", schema.INVOICE_KINDS),
        ("Payment", schema.PAYMENT_KINDS),
        ("CompanyInfo", schema.COMPANY_INFO_KINDS),
        ("Line", schema.LINE_KINDS),
        ("SalesItemLineDetail", schema.SALES_ITEM_LINE_DETAIL_KINDS),
        ("PhysicalAddress", schema.PHYSICAL_ADDRESS_KINDS),
        ("LinkedTxn", schema.LINKED_TXN_KINDS),
    ],
)
def test_the_fields_a_request_may_carry_and_their_kinds_are_the_xsds(
    type_name: str, kinds: dict[str, str]
) -> None:
    in_xsd = quickbooks_xsd.kinds(type_name)

    if type_name in ("Line", "SalesItemLineDetail", "PhysicalAddress", "LinkedTxn"):
        assert kinds == in_xsd
    else:
        assert {**schema.ENTITY_KINDS, **kinds} == in_xsd


def test_the_checker_finds_a_field_intuit_does_not_have_and_a_wrong_type() -> None:
    problems = quickbooks_xsd.check_answer(
        {"Customer": {"DisplayName": "x", "Active": "yes", "Nickname": "y"}, "time": "now"}
    )

    assert problems == [
        "Customer.Active: 'yes' is not a valid xs:boolean",
        "Customer.Nickname: not in Intuit's schema",
        "time: 'now' is not a valid xs:dateTime",
    ]


def test_every_record_of_a_busy_company_fits_the_schema(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    invoice = qbo_api.create(
        "Invoice",
        {
            "CustomerRef": {"value": "1"},
            "GlobalTaxCalculation": "TaxInclusive",
            "BillAddr": {"Line1": "1 George St", "City": "Sydney"},
            "Line": [
                sales_line(item_id(qbo_api), gst_code_id(qbo_api), 220, qty=2),
                {"DetailType": "DescriptionOnly", "Description": "Parts ordered"},
            ],
        },
    )
    payment = qbo_api.create(
        "Payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 300,
            "Line": [
                {"Amount": 242, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
            ],
        },
    )
    qbo_api.post(
        "/payment", {"Id": payment["Id"], "SyncToken": "0"}, params={"operation": "delete"}
    )

    books = requests.get(
        f"{qbo_server.url}/_emulator/companies/{DEMO_REALM_ID}/records", timeout=5
    ).json()

    problems = []
    for entity, records in books["records"].items():
        for record in records:
            problems += quickbooks_xsd.check_entity(entity, record)
    for entity, records in books["deleted"].items():
        for record in records:
            problems += quickbooks_xsd.check_entity(entity, record)
    assert problems == []
    assert set(books["records"]) >= {"Customer", "Item", "Account", "TaxCode", "TaxRate", "Invoice"}
    assert qbo_api.checked >= 5
