"""Writing to a company file: one record per request, 201 with Location, RowVersion on
every update, MYOB's validation bodies, and no idempotency: a repeated POST is a second
record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from localdev.myob import DEMO_COMPANY_FILE_ID
from tests.support.myob_emulator_fixtures import MyobFlow, Session, served_myob


@pytest.fixture
def myob() -> Iterator[MyobFlow]:
    with served_myob() as flow:
        yield flow


@pytest.fixture
def session(myob: MyobFlow) -> Session:
    return myob.login()


class Demo:
    """UIDs of the demo file's records the tests link to."""

    def __init__(self, myob: MyobFlow, session: Session) -> None:
        def uid(path: str, expression: str) -> str:
            answer = myob.call(session, "GET", path, params={"$filter": expression})
            [record] = answer.json()["Items"]
            return str(record["UID"])

        self.gst = uid("GeneralLedger/TaxCode", "Code eq 'GST'")
        self.fre = uid("GeneralLedger/TaxCode", "Code eq 'FRE'")
        self.bank = uid("GeneralLedger/Account", "DisplayID eq '1-1110'")
        self.income = uid("GeneralLedger/Account", "DisplayID eq '4-1000'")
        self.debtors = uid("GeneralLedger/Account", "DisplayID eq '1-1200'")
        self.customer = uid("Contact/Customer", "DisplayID eq 'CUS000001'")
        self.other_customer = uid("Contact/Customer", "DisplayID eq 'CUS000002'")
        self.labour = uid("Inventory/Item", "Number eq 'SVC-HOUR'")


@pytest.fixture
def demo(myob: MyobFlow, session: Session) -> Demo:
    return Demo(myob, session)


def _customer(demo: Demo, **fields: Any) -> dict[str, Any]:
    return {
        "CompanyName": "Bondi Body Corporate",
        "IsIndividual": False,
        "DisplayID": "L8-0001",
        "Addresses": [{"Location": 1, "Street": "1 Campbell Pde", "Email": "bc@example.test"}],
        "SellingDetails": {"TaxCode": {"UID": demo.gst}, "FreightTaxCode": {"UID": demo.gst}},
        **fields,
    }


def _service_invoice(demo: Demo, **fields: Any) -> dict[str, Any]:
    return {
        "Date": "2026-12-01T00:00:00",
        "Customer": {"UID": demo.customer},
        "Lines": [
            {
                "Description": "Blocked drain",
                "Account": {"UID": demo.income},
                "Total": 200,
                "TaxCode": {"UID": demo.gst},
            },
            {
                "Description": "Council fee",
                "Account": {"UID": demo.income},
                "Total": 50,
                "TaxCode": {"UID": demo.fre},
            },
        ],
        **fields,
    }


def _errors(answer: requests.Response) -> list[dict[str, Any]]:
    return list(answer.json()["Errors"])


def test_a_post_answers_201_with_location_and_no_body(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    answer = myob.call(session, "POST", "Contact/Customer", json=_customer(demo))

    assert answer.status_code == 201
    assert answer.content == b""
    location = answer.headers["Location"]
    assert location.startswith(f"{myob.url}/accountright/{DEMO_COMPANY_FILE_ID}/Contact/Customer/")
    stored = myob.call(session, "GET", location.removeprefix(myob.url)).json()
    assert stored["DisplayID"] == "L8-0001"
    assert stored["Addresses"][0]["Email"] == "bc@example.test"


def test_return_body_gives_the_created_record(myob: MyobFlow, session: Session, demo: Demo) -> None:
    answer = myob.call(
        session,
        "POST",
        "Contact/Customer",
        params={"returnBody": "true"},
        json=_customer(demo),
    )

    assert answer.status_code == 201
    assert answer.json()["URI"] == answer.headers["Location"]
    assert answer.json()["RowVersion"]


def test_a_repeated_post_is_a_second_record(myob: MyobFlow, session: Session, demo: Demo) -> None:
    first = myob.call(session, "POST", "Sale/Invoice/Service", json=_service_invoice(demo))
    second = myob.call(session, "POST", "Sale/Invoice/Service", json=_service_invoice(demo))

    assert first.status_code == second.status_code == 201
    assert first.headers["Location"] != second.headers["Location"]
    invoices = myob.emulator.records(DEMO_COMPANY_FILE_ID, "Sale/Invoice/Service")
    assert [invoice["Number"] for invoice in invoices] == ["00000001", "00000002"]


def test_a_post_may_not_carry_a_uid_or_row_version(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    with_uid = myob.call(
        session,
        "POST",
        "Contact/Customer",
        json=_customer(demo, UID="1b1e5b52-7a55-4c5b-8a55-6c1b2a3d4e5f"),
    )

    assert with_uid.status_code == 409
    assert myob.emulator.records(DEMO_COMPANY_FILE_ID, "Contact/Customer")[-1]["DisplayID"] != (
        "L8-0001"
    )


def test_an_update_needs_the_current_row_version(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    created = myob.call(
        session, "POST", "Contact/Customer", params={"returnBody": "true"}, json=_customer(demo)
    ).json()
    path = f"Contact/Customer/{created['UID']}"

    updated = myob.call(session, "PUT", path, json={**created, "CompanyName": "Bondi BC"})
    stale = myob.call(session, "PUT", path, json={**created, "CompanyName": "Bondi Strata"})
    missing = myob.call(session, "PUT", path, json={**created, "RowVersion": None})

    assert (updated.status_code, updated.content) == (200, b"")
    for answer in (stale, missing):
        assert answer.status_code == 409
        assert _errors(answer)[0]["Name"] == "IncorrectRowVersionSupplied"
    assert myob.call(session, "GET", path).json()["CompanyName"] == "Bondi BC"


def test_put_only_updates(myob: MyobFlow, session: Session, demo: Demo) -> None:
    uid = "1b1e5b52-7a55-4c5b-8a55-6c1b2a3d4e5f"

    answer = myob.call(
        session,
        "PUT",
        f"Contact/Customer/{uid}",
        json=_customer(demo, UID=uid, RowVersion="1"),
    )

    assert answer.status_code == 404
    assert myob.call(session, "GET", f"Contact/Customer/{uid}").status_code == 404


def test_validation_errors_come_together_in_myobs_body(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    answer = myob.call(
        session,
        "POST",
        "Contact/Customer",
        json={
            "IsIndividual": True,
            "FirstName": "A" * 21,
            "Website": "https://example.test",
            "SellingDetails": {"TaxCode": {"UID": "not-a-guid"}},
        },
    )

    assert answer.status_code == 400
    names = {(error["Name"], error["AdditionalDetails"]) for error in _errors(answer)}
    assert names == {
        ("Required", "LastName"),
        ("MaxLengthExceeded", "FirstName"),
        ("ValidationError", "Website"),
        ("SerializationError", "SellingDetails.TaxCode.UID"),
        ("Required", "SellingDetails.FreightTaxCode"),
    }
    assert all(
        set(error) == {"Name", "Message", "AdditionalDetails", "ErrorCode", "Severity", "LearnMore"}
        for error in _errors(answer)
    )


def test_card_ids_and_item_numbers_are_unique(myob: MyobFlow, session: Session, demo: Demo) -> None:
    myob.call(session, "POST", "Contact/Customer", json=_customer(demo))

    card = myob.call(session, "POST", "Contact/Customer", json=_customer(demo, DisplayID="l8-0001"))
    item = myob.call(
        session,
        "POST",
        "Inventory/Item",
        json={"Number": "svc-hour", "Name": "Labour again"},
    )

    assert card.status_code == item.status_code == 400
    assert _errors(card)[0]["Name"] == "CardIdInUse"
    assert _errors(item)[0]["Name"] == "ItemNumberInUse"


def test_a_sold_item_needs_an_income_account_and_tax_code(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    missing = myob.call(
        session, "POST", "Inventory/Item", json={"Number": "X", "Name": "X", "IsSold": True}
    )
    wrong_account = myob.call(
        session,
        "POST",
        "Inventory/Item",
        json={
            "Number": "X",
            "Name": "X",
            "IsSold": True,
            "IncomeAccount": {"UID": demo.debtors},
            "SellingDetails": {"TaxCode": {"UID": demo.gst}},
        },
    )

    assert {e["AdditionalDetails"] for e in _errors(missing)} == {
        "IncomeAccount",
        "SellingDetails.TaxCode",
    }
    assert _errors(wrong_account)[0]["Name"] == "InvalidAccount"


def test_invoice_totals_follow_the_lines_tax_codes(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    exclusive = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo, Number="L8-1"),
    ).json()
    inclusive = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo, Number="L8-2", IsTaxInclusive=True),
    ).json()

    assert (exclusive["Subtotal"], exclusive["TotalTax"], exclusive["TotalAmount"]) == (
        250,
        20,
        270,
    )
    assert (inclusive["TotalTax"], inclusive["TotalAmount"]) == (18.18, 250)
    assert exclusive["BalanceDueAmount"] == 270
    assert exclusive["Status"] == "Open"


def test_item_invoice_lines_must_add_up_and_sell_a_sold_item(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    line = {
        "ShipQuantity": 2,
        "UnitPrice": 120,
        "Item": {"UID": demo.labour},
        "TaxCode": {"UID": demo.gst},
    }

    wrong_total = myob.call(
        session,
        "POST",
        "Sale/Invoice/Item",
        json={
            "Date": "2026-12-01",
            "Customer": {"UID": demo.customer},
            "Lines": [{**line, "Total": 200}],
        },
    )
    no_lines = myob.call(
        session,
        "POST",
        "Sale/Invoice/Item",
        json={"Date": "2026-12-01", "Customer": {"UID": demo.customer}, "Lines": []},
    )

    assert _errors(wrong_total)[0]["Name"] == "LineTotalMismatch"
    assert _errors(no_lines)[0]["AdditionalDetails"] == "Lines"


def test_invoice_numbers_are_unique_across_layouts(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    myob.call(session, "POST", "Sale/Invoice/Service", json=_service_invoice(demo, Number="L8-7"))
    line = {
        "ShipQuantity": 1,
        "UnitPrice": 120,
        "Item": {"UID": demo.labour},
        "TaxCode": {"UID": demo.gst},
    }

    again = myob.call(
        session,
        "POST",
        "Sale/Invoice/Item",
        json={
            "Number": "L8-7",
            "Date": "2026-12-01",
            "Customer": {"UID": demo.customer},
            "Lines": [line],
        },
    )

    assert again.status_code == 400
    assert _errors(again)[0]["Name"] == "InvoiceNumberInUse"


def test_a_payment_pays_invoices_down_and_its_deletion_restores_them(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    invoice = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo),
    ).json()
    payment = {
        "DepositTo": "Account",
        "Account": {"UID": demo.bank},
        "Customer": {"UID": demo.customer},
        "Date": "2026-12-05",
        "Invoices": [{"UID": invoice["UID"], "Type": "Invoice", "AmountApplied": 100}],
    }

    part = myob.call(session, "POST", "Sale/CustomerPayment", json=payment)
    after_part = myob.call(session, "GET", f"Sale/Invoice/Service/{invoice['UID']}").json()
    rest = myob.call(
        session,
        "POST",
        "Sale/CustomerPayment",
        json={**payment, "Invoices": [{**payment["Invoices"][0], "AmountApplied": 170}]},
    )
    closed = myob.call(session, "GET", f"Sale/Invoice/Service/{invoice['UID']}").json()
    undone = myob.call(session, "DELETE", rest.headers["Location"].removeprefix(myob.url))
    reopened = myob.call(session, "GET", f"Sale/Invoice/Service/{invoice['UID']}").json()

    assert part.status_code == rest.status_code == 201
    assert (after_part["BalanceDueAmount"], after_part["Status"]) == (170, "Open")
    assert after_part["RowVersion"] != invoice["RowVersion"]
    assert (closed["BalanceDueAmount"], closed["Status"]) == (0, "Closed")
    assert closed["LastPaymentDate"] == "2026-12-05T00:00:00"
    assert undone.status_code == 200
    assert (reopened["BalanceDueAmount"], reopened["Status"]) == (170, "Open")


def test_payment_rules(myob: MyobFlow, session: Session, demo: Demo) -> None:
    invoice = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo),
    ).json()
    base = {
        "DepositTo": "Account",
        "Account": {"UID": demo.bank},
        "Customer": {"UID": demo.customer},
        "Date": "2026-12-05",
        "Invoices": [{"UID": invoice["UID"], "Type": "Invoice", "AmountApplied": 100}],
    }

    def refused(**changes: Any) -> set[str]:
        answer = myob.call(session, "POST", "Sale/CustomerPayment", json={**base, **changes})
        assert answer.status_code == 400, answer.text
        return {error["AdditionalDetails"] for error in _errors(answer)}

    assert refused(Invoices=[{"UID": invoice["UID"], "AmountApplied": 270.01}]) == {
        "Invoices[0].AmountApplied"
    }
    assert refused(Customer={"UID": demo.other_customer}) == {"Invoices[0].UID"}
    assert refused(Account={"UID": demo.income}) == {"Account"}
    assert refused(AmountReceived=99) == {"AmountReceived"}
    assert refused(Invoices=[]) == {"Invoices"}
    put = myob.call(session, "PUT", f"Sale/CustomerPayment/{invoice['UID']}", json=base)
    assert put.status_code == 405


def test_a_paid_invoice_cannot_be_deleted_or_cut_below_what_was_paid(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    invoice = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo),
    ).json()
    myob.call(
        session,
        "POST",
        "Sale/CustomerPayment",
        json={
            "DepositTo": "Account",
            "Account": {"UID": demo.bank},
            "Customer": {"UID": demo.customer},
            "Date": "2026-12-05",
            "Invoices": [{"UID": invoice["UID"], "AmountApplied": 200}],
        },
    )
    current = myob.call(session, "GET", f"Sale/Invoice/Service/{invoice['UID']}").json()
    path = f"Sale/Invoice/Service/{invoice['UID']}"

    deleted = myob.call(session, "DELETE", path)
    cut = myob.call(session, "PUT", path, json={**current, "Lines": current["Lines"][1:]})

    assert _errors(deleted)[0]["Name"] == "SaleHasPayments"
    assert _errors(cut)[0]["Name"] == "SaleHasPayments"


def test_a_field_myob_cannot_hold_is_refused_not_dropped(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    answer = myob.call(
        session, "POST", "Contact/Customer", json=_customer(demo, Mobile="0400 000 000")
    )

    assert answer.status_code == 400
    assert _errors(answer)[0]["AdditionalDetails"] == "Mobile"


def test_read_only_resources_refuse_writes(myob: MyobFlow, session: Session) -> None:
    answer = myob.call(session, "POST", "GeneralLedger/TaxCode", json={"Code": "NEW"})

    assert answer.status_code == 405
    assert _errors(answer)[0]["Name"] == "MethodNotAllowed"


def test_a_put_replaces_the_whole_record(myob: MyobFlow, session: Session, demo: Demo) -> None:
    created = myob.call(
        session,
        "POST",
        "Contact/Customer",
        params={"returnBody": "true"},
        json=_customer(demo, Notes="Gate code 1234"),
    ).json()
    sent = {key: value for key, value in created.items() if key not in ("Notes", "Addresses")}

    myob.call(session, "PUT", f"Contact/Customer/{created['UID']}", json=sent)
    stored = myob.call(session, "GET", f"Contact/Customer/{created['UID']}").json()

    assert stored["Notes"] is None
    assert stored["Addresses"] == []


def test_an_inactive_card_cannot_be_used_on_a_new_sale(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    inactive = myob.call(
        session,
        "POST",
        "Contact/Customer",
        params={"returnBody": "true"},
        json=_customer(demo, IsActive=False),
    ).json()

    answer = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        json=_service_invoice(demo, Customer={"UID": inactive["UID"]}),
    )

    assert answer.status_code == 400
    assert _errors(answer)[0]["Name"] == "CardInactive"


def test_an_invoice_read_back_can_be_changed_and_is_totalled_again(
    myob: MyobFlow, session: Session, demo: Demo
) -> None:
    created = myob.call(
        session,
        "POST",
        "Sale/Invoice/Service",
        params={"returnBody": "true"},
        json=_service_invoice(demo, Number="L8-RT"),
    ).json()
    read = myob.call(session, "GET", f"Sale/Invoice/Service/{created['UID']}").json()
    read["Lines"][0]["Total"] = 300

    answer = myob.call(
        session,
        "PUT",
        f"Sale/Invoice/Service/{created['UID']}",
        params={"returnBody": "true"},
        json=read,
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["TotalTax"], answer.json()["TotalAmount"]) == (30, 380)
    assert answer.json()["Number"] == "L8-RT"
    by_customer = myob.call(
        session,
        "GET",
        "Sale/Invoice/Service",
        params={"$filter": f"Customer/UID eq guid'{demo.customer}'"},
    ).json()
    assert [invoice["Number"] for invoice in by_customer["Items"]] == ["L8-RT"]


def test_an_address_email_must_look_like_one(myob: MyobFlow, session: Session, demo: Demo) -> None:
    answer = myob.call(
        session,
        "POST",
        "Contact/Customer",
        json=_customer(demo, Addresses=[{"Location": 1, "Email": "not an email"}]),
    )

    assert answer.status_code == 400
    assert _errors(answer)[0]["AdditionalDetails"] == "Addresses[0].Email"
