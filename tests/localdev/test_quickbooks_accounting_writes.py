"""Writes: Intuit's rules for customers, items, invoices and payments, and its faults."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from localdev.quickbooks import QuickBooksEmulator
from tests.support.quickbooks_api import (
    Api,
    account_id,
    fault_of,
    gst_code_id,
    item_id,
    qbo_api,
    sales_line,
)
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below


def _invoice(api: Api, customer: str = "1", **extra: object) -> dict[str, object]:
    body = {
        "CustomerRef": {"value": customer},
        "Line": [sales_line(item_id(api), gst_code_id(api), 220, qty=2)],
        **extra,
    }
    return api.create("Invoice", body)


def _pay(api: Api, invoice: dict[str, object], amount: float, **extra: object) -> object:
    return api.post(
        "/payment",
        {
            "CustomerRef": invoice["CustomerRef"],
            "TotalAmt": amount,
            "Line": [
                {"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
            ],
            **extra,
        },
    )


# --- customers ------------------------------------------------------------------------------
def test_a_new_customer_starts_at_sync_token_0_stamped_in_the_companys_zone(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    created = qbo_api.create("Customer", {"DisplayName": "Maroubra Vet"})

    stamp = datetime.fromisoformat(created["MetaData"]["CreateTime"])
    sydney = qbo_emulator.clock.now().astimezone(ZoneInfo("Australia/Sydney"))
    assert stamp.utcoffset() == sydney.utcoffset()
    assert (created["SyncToken"], created["Active"], created["Balance"]) == ("0", True, 0)
    assert created["FullyQualifiedName"] == created["PrintOnCheckName"] == "Maroubra Vet"


def test_display_names_are_unique_ignoring_case_even_among_inactive_customers(
    qbo_api: Api,
) -> None:
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    qbo_api.post(
        "/customer",
        {"Id": jane["Id"], "SyncToken": jane["SyncToken"], "sparse": True, "Active": False},
    )

    answer = qbo_api.post("/customer", {"DisplayName": "  JANE NGUYEN "})

    assert answer.status_code == 400
    assert answer.json()["Fault"]["type"] == "ValidationFault"
    assert fault_of(answer)["code"] == "6240"
    assert fault_of(answer)["Message"] == "Duplicate Name Exists Error"


def test_a_display_name_is_made_from_the_name_parts_when_left_out(qbo_api: Api) -> None:
    created = qbo_api.create("Customer", {"GivenName": "Priya", "FamilyName": "Patel"})
    nameless = qbo_api.post("/customer", {"Notes": "no name at all"})

    assert created["DisplayName"] == "Priya Patel"
    assert nameless.status_code == 400
    assert (fault_of(nameless)["code"], fault_of(nameless)["Message"]) == (
        "6080",
        "No Name Provided",
    )


def test_a_sparse_update_keeps_what_it_leaves_out_and_a_full_one_clears_it(
    qbo_api: Api,
) -> None:
    created = qbo_api.create(
        "Customer",
        {"DisplayName": "Clovelly Bowls Club", "CompanyName": "Clovelly Bowls Club Ltd"},
    )
    sparse = qbo_api.post(
        "/customer",
        {"Id": created["Id"], "SyncToken": "0", "sparse": True, "Notes": "Side gate"},
    ).json()["Customer"]
    full = qbo_api.post(
        "/customer",
        {"Id": created["Id"], "SyncToken": "1", "DisplayName": "Clovelly Bowls Club"},
    ).json()["Customer"]

    assert (sparse["CompanyName"], sparse["Notes"], sparse["SyncToken"]) == (
        "Clovelly Bowls Club Ltd",
        "Side gate",
        "1",
    )
    assert "CompanyName" not in full
    assert "Notes" not in full
    assert full["SyncToken"] == "2"
    assert full["MetaData"]["CreateTime"] == created["MetaData"]["CreateTime"]


def test_a_stale_sync_token_is_5010_and_changes_nothing(qbo_api: Api) -> None:
    created = qbo_api.create("Customer", {"DisplayName": "Tamarama Cafe"})
    qbo_api.post("/customer", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "Notes": "a"})

    stale = qbo_api.post(
        "/customer", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "Notes": "b"}
    )
    no_token = qbo_api.post("/customer", {"Id": created["Id"], "sparse": True, "Notes": "c"})

    assert stale.status_code == 400
    assert (fault_of(stale)["code"], fault_of(stale)["Message"]) == ("5010", "Stale Object Error")
    assert fault_of(no_token)["code"] == "2020"
    assert qbo_api.one("Customer", created["Id"])["Notes"] == "a"


def test_unknown_records_are_610_and_unknown_properties_2010(qbo_api: Api) -> None:
    missing = qbo_api.get("/customer/9999")
    update_missing = qbo_api.post("/customer", {"Id": "9999", "SyncToken": "0", "sparse": True})
    unknown = qbo_api.post("/customer", {"DisplayName": "Typo Pty Ltd", "EmailAddress": "x@y.z"})

    assert missing.status_code == update_missing.status_code == 400
    assert fault_of(missing)["code"] == fault_of(update_missing)["code"] == "610"
    assert fault_of(missing)["Message"] == "Object Not Found"
    assert fault_of(unknown)["code"] == "2010"
    assert fault_of(unknown)["Detail"].startswith(
        'Property Name:Unrecognized field "EmailAddress" (class '
        "com.intuit.schema.finance.v3.Customer)"
    )


def test_an_unknown_property_on_an_invoice_line_is_refused(qbo_api: Api) -> None:
    line = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)
    line["SalesItemLineDetail"]["Quantity"] = 1

    answer = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [line]})

    assert fault_of(answer)["code"] == "2010"
    assert '"Quantity"' in fault_of(answer)["Detail"]
    assert qbo_api.query("select count(*) from Invoice").json()["QueryResponse"] == {
        "totalCount": 0
    }


def test_read_only_fields_in_a_body_are_ignored(qbo_api: Api) -> None:
    created = qbo_api.create(
        "Customer", {"DisplayName": "Read Only Pty Ltd", "Balance": 500, "FullyQualifiedName": "x"}
    )

    assert (created["Balance"], created["FullyQualifiedName"]) == (0, "Read Only Pty Ltd")


# --- items ----------------------------------------------------------------------------------
def test_an_item_needs_a_type_and_an_active_income_account(qbo_api: Api) -> None:
    services = account_id(qbo_api, "Services")
    no_type = qbo_api.post("/item", {"Name": "A", "IncomeAccountRef": {"value": services}})
    no_account = qbo_api.post("/item", {"Name": "B", "Type": "Service"})
    expense = qbo_api.post(
        "/item",
        {
            "Name": "C",
            "Type": "Service",
            "IncomeAccountRef": {"value": account_id(qbo_api, "Motor Vehicle Expenses")},
        },
    )
    inactive = qbo_api.post(
        "/item",
        {
            "Name": "D",
            "Type": "Service",
            "IncomeAccountRef": {
                "value": qbo_api.rows(
                    "select * from Account where Name = 'Old Sales (inactive)' AND Active = false"
                )[0]["Id"]
            },
        },
    )
    unknown = qbo_api.post(
        "/item", {"Name": "E", "Type": "Service", "IncomeAccountRef": {"value": "999"}}
    )

    assert fault_of(no_type)["code"] == fault_of(no_account)["code"] == "2020"
    assert fault_of(expense)["code"] == "6000"
    assert fault_of(inactive)["code"] == "610"
    assert fault_of(unknown)["code"] == "2500"
    assert qbo_api.query("select count(*) from Item").json()["QueryResponse"]["totalCount"] == 4


def test_item_names_are_unique(qbo_api: Api) -> None:
    answer = qbo_api.post(
        "/item",
        {
            "Name": "call-out FEE",
            "Type": "Service",
            "IncomeAccountRef": {"value": account_id(qbo_api, "Services")},
        },
    )

    assert fault_of(answer)["code"] == "6240"


# --- invoices -------------------------------------------------------------------------------
def test_an_invoice_adds_gst_per_rate_and_numbers_itself(qbo_api: Api) -> None:
    gst, free = gst_code_id(qbo_api), gst_code_id(qbo_api, "GST free")
    created = qbo_api.create(
        "Invoice",
        {
            "CustomerRef": {"value": "2"},
            "Line": [
                sales_line(item_id(qbo_api), gst, 220, qty=2),
                sales_line(item_id(qbo_api, "Call-out fee"), gst, 85.55),
                sales_line(item_id(qbo_api, "Council inspection fee"), free, 150),
            ],
        },
    )

    assert created["DocNumber"] == "1001"
    assert created["TxnTaxDetail"]["TotalTax"] == 30.56  # 10% of 305.55, rounded once
    assert (created["TotalAmt"], created["Balance"]) == (486.11, 486.11)
    assert created["Line"][-1] == {
        "Amount": 455.55,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert qbo_api.one("Customer", "2")["Balance"] == 486.11


def test_an_au_invoice_line_without_a_tax_code_is_refused(qbo_api: Api) -> None:
    line = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)
    del line["SalesItemLineDetail"]["TaxCodeRef"]

    answer = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [line]})

    assert fault_of(answer)["code"] == "6000"
    assert (
        "Make sure all your transactions have a GST rate before you save."
        in fault_of(answer)["Detail"]
    )


def test_a_line_amount_must_equal_qty_times_unit_price(qbo_api: Api) -> None:
    line = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 230, qty=2, unit_price=110)

    answer = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [line]})

    assert fault_of(answer)["code"] == "6070"
    assert (
        fault_of(answer)["Detail"] == "Amount is not equal to Qty * UnitPrice. Supplied value:230"
    )


def test_document_numbers_are_unique_among_invoices(qbo_api: Api) -> None:
    first = _invoice(qbo_api, DocNumber="L8-0042")

    answer = qbo_api.post(
        "/invoice",
        {
            "CustomerRef": {"value": "1"},
            "DocNumber": "l8-0042",
            "Line": [sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)],
        },
    )

    assert fault_of(answer)["code"] == "6140"
    assert fault_of(answer)["Message"] == "Duplicate Document Number Error"
    assert f"TxnId={first['Id']}" in fault_of(answer)["Detail"]


def test_an_invoice_needs_a_customer_and_a_sales_line(qbo_api: Api) -> None:
    no_customer = qbo_api.post(
        "/invoice", {"Line": [sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)]}
    )
    no_lines = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": []})
    gone = qbo_api.post(
        "/invoice",
        {
            "CustomerRef": {"value": "404"},
            "Line": [sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)],
        },
    )

    assert fault_of(no_customer)["code"] == fault_of(no_lines)["code"] == "2020"
    assert fault_of(gone)["code"] == "2500"


def test_voiding_zeroes_an_invoice_and_deleting_removes_it(qbo_api: Api) -> None:
    to_void, to_delete = _invoice(qbo_api), _invoice(qbo_api)

    voided = qbo_api.post(
        "/invoice", {"Id": to_void["Id"], "SyncToken": "0"}, params={"operation": "void"}
    ).json()["Invoice"]
    deleted = qbo_api.post(
        "/invoice", {"Id": to_delete["Id"], "SyncToken": "0"}, params={"operation": "delete"}
    ).json()["Invoice"]

    assert (voided["TotalAmt"], voided["Balance"], voided["SyncToken"]) == (0, 0, "1")
    assert voided["PrivateNote"] == "Voided"
    assert deleted == {"status": "Deleted", "domain": "QBO", "Id": to_delete["Id"]}
    gone = fault_of(qbo_api.get(f"/invoice/{to_delete['Id']}"))
    assert (gone["code"], gone["Detail"]) == (
        "610",
        "Object Not Found : Another user has deleted this transaction.",
    )
    assert qbo_api.one("Customer", "1")["Balance"] == 0


# --- payments -------------------------------------------------------------------------------
def test_a_payment_lowers_the_invoice_balance_and_links_both_ways(qbo_api: Api) -> None:
    invoice = _invoice(qbo_api)

    paid = _pay(qbo_api, invoice, 100).json()["Payment"]

    reread = qbo_api.one("Invoice", invoice["Id"])
    assert reread["Balance"] == 142
    assert reread["SyncToken"] == "1"
    assert reread["LinkedTxn"] == [{"TxnId": paid["Id"], "TxnType": "Payment"}]
    assert paid["UnappliedAmt"] == 0
    assert paid["DepositToAccountRef"]["name"] == "Undeposited Funds"
    assert qbo_api.one("Customer", "1")["Balance"] == 142


def test_a_payment_may_not_exceed_the_open_balance_or_cross_customers(qbo_api: Api) -> None:
    invoice = _invoice(qbo_api)

    too_much = _pay(qbo_api, invoice, 242.01)
    other_customer = _pay(qbo_api, {**invoice, "CustomerRef": {"value": "2"}}, 10)
    to_income = _pay(
        qbo_api, invoice, 10, DepositToAccountRef={"value": account_id(qbo_api, "Sales")}
    )

    assert fault_of(too_much)["code"] == "6000"
    assert fault_of(other_customer)["code"] == "6000"
    assert fault_of(to_income)["code"] == "6000"
    assert qbo_api.one("Invoice", invoice["Id"])["Balance"] == 242


def test_a_bank_account_takes_a_deposit(qbo_api: Api) -> None:
    invoice = _invoice(qbo_api)
    bank = account_id(qbo_api, "Business Cheque Account")

    paid = _pay(qbo_api, invoice, 242, DepositToAccountRef={"value": bank}).json()["Payment"]

    assert paid["DepositToAccountRef"] == {"value": bank, "name": "Business Cheque Account"}
    assert qbo_api.one("Invoice", invoice["Id"])["Balance"] == 0


def test_deleting_or_voiding_a_payment_gives_the_invoice_its_balance_back(qbo_api: Api) -> None:
    invoice = _invoice(qbo_api)
    first = _pay(qbo_api, invoice, 42).json()["Payment"]
    second = _pay(qbo_api, invoice, 200).json()["Payment"]

    qbo_api.post("/payment", {"Id": first["Id"], "SyncToken": "0"}, params={"operation": "delete"})
    voided = qbo_api.post(
        "/payment",
        {"Id": second["Id"], "SyncToken": "0", "sparse": True},
        params={"operation": "update", "include": "void"},
    ).json()["Payment"]

    assert (voided["TotalAmt"], voided["PrivateNote"]) == (0, "Voided")
    reread = qbo_api.one("Invoice", invoice["Id"])
    assert reread["Balance"] == 242
    assert reread["LinkedTxn"] == []


def test_an_invoice_with_payments_is_neither_voided_nor_deleted(qbo_api: Api) -> None:
    invoice = _invoice(qbo_api)
    _pay(qbo_api, invoice, 10)
    current = qbo_api.one("Invoice", invoice["Id"])

    for operation in ("void", "delete"):
        answer = qbo_api.post(
            "/invoice",
            {"Id": current["Id"], "SyncToken": current["SyncToken"]},
            params={"operation": operation},
        )
        assert fault_of(answer)["code"] == "6000"
    assert qbo_api.one("Invoice", invoice["Id"])["Balance"] == 232


def test_tax_codes_and_rates_are_read_only(qbo_api: Api) -> None:
    answer = qbo_api.post("/taxcode", {"Name": "New GST"})

    assert answer.status_code == 400
    assert fault_of(answer)["Message"] == "Unsupported Operation"


def test_a_sales_line_must_name_an_active_item(qbo_api: Api) -> None:
    no_item = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 110)
    del no_item["SalesItemLineDetail"]["ItemRef"]
    unknown = sales_line("999", gst_code_id(qbo_api), 110)

    missing = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [no_item]})
    gone = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [unknown]})

    assert fault_of(missing)["code"] == "2020"
    assert "ItemRef" in fault_of(missing)["Detail"]
    assert fault_of(gone)["code"] == "2500"


def test_values_of_the_wrong_kind_are_refused_as_the_deserialiser_would(qbo_api: Api) -> None:
    address_as_text = qbo_api.post("/customer", {"DisplayName": "A", "BillAddr": "1 George St"})
    active_as_word = qbo_api.post("/customer", {"DisplayName": "B", "Active": "no"})
    line = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 220, qty=2)
    line["SalesItemLineDetail"]["Qty"] = "two"
    qty_as_word = qbo_api.post("/invoice", {"CustomerRef": {"value": "1"}, "Line": [line]})
    customer_as_text = qbo_api.post("/invoice", {"CustomerRef": "1", "Line": [line]})

    for answer in (address_as_text, active_as_word, qty_as_word, customer_as_text):
        assert fault_of(answer)["code"] == "2010", answer.text
    assert "BillAddr" in fault_of(address_as_text)["Detail"]
    assert qbo_api.query("select count(*) from Customer").json()["QueryResponse"] == {
        "totalCount": 4
    }


def test_numbers_and_booleans_written_as_text_are_read_as_intuit_reads_them(
    qbo_api: Api,
) -> None:
    line = sales_line(item_id(qbo_api), gst_code_id(qbo_api), 220, qty=2)
    line["SalesItemLineDetail"]["Qty"] = "2"
    line["Amount"] = "220.00"

    created = qbo_api.create("Invoice", {"CustomerRef": {"value": "1"}, "Line": [line]})
    customer = qbo_api.create("Customer", {"DisplayName": "Text Flags", "Active": "true"})
    inactive = qbo_api.create("Customer", {"DisplayName": "Text Off", "Active": "false"})

    assert created["TotalAmt"] == 242
    assert created["Line"][0]["SalesItemLineDetail"]["Qty"] == 2
    assert customer["Active"] is True
    assert inactive["Active"] is False


def test_a_customer_who_owes_money_cannot_be_made_inactive_or_deleted(qbo_api: Api) -> None:
    _invoice(qbo_api, customer="2")
    owing = qbo_api.one("Customer", "2")

    inactive = qbo_api.post(
        "/customer",
        {"Id": "2", "SyncToken": owing["SyncToken"], "sparse": True, "Active": False},
    )
    deleted = qbo_api.post(
        "/customer", {"Id": "2", "SyncToken": owing["SyncToken"]}, params={"operation": "delete"}
    )

    assert (fault_of(inactive)["Message"], fault_of(inactive)["Detail"]) == (
        "Delete List Has Balance Error",
        "The entity you are trying to delete has an open balance. : This customer cannot be "
        "deleted because it has a non-zero balance",
    )
    assert fault_of(deleted)["Message"] == "Unsupported Operation"
    assert qbo_api.one("Customer", "2")["Active"] is True
