"""QuickBooks Online's entities read and written in the core's terms, its faults typed,
its queries built, its limits counted: pure, no emulator needed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chalicelib.adapters.providers.quickbooks.batches import request_id
from chalicelib.adapters.providers.quickbooks.failures import fault_errors, write_failure
from chalicelib.adapters.providers.quickbooks.limits import RateCounter
from chalicelib.adapters.providers.quickbooks.mappers import (
    account_from_qbo,
    contact_from_qbo,
    contact_to_qbo,
    invoice_from_qbo,
    invoice_to_qbo,
    item_from_qbo,
    item_to_qbo,
    payment_to_qbo,
    payments_from_qbo,
    tax_rate_from_qbo,
)
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.adapters.providers.quickbooks.query import changed_since, quote, where_in
from chalicelib.domain.accounting import (
    AccountClass,
    AppContactDraft,
    AppInvoice,
    AppInvoiceLine,
    AppInvoiceStatus,
    AppItem,
    AppPaymentDraft,
    RecordStatus,
)
from chalicelib.domain.app_profile import InvoiceRemoval, WriteFailure

META = {"CreateTime": "2026-11-01T09:00:00+10:00", "LastUpdatedTime": "2026-11-02T10:30:00+10:00"}


def _fault(code: str, message: str = "Error", detail: str = "") -> dict:
    return {
        "Fault": {
            "Error": [{"Message": message, "Detail": detail, "code": code}],
            "type": "ValidationFault",
        }
    }


@pytest.mark.parametrize(
    ("code", "detail", "reason"),
    [
        ("6240", "The name supplied already exists. : Another customer", WriteFailure.NAME_TAKEN),
        (
            "6140",
            "Duplicate Document Number Error : You must specify a different number.",
            WriteFailure.NUMBER_TAKEN,
        ),
        ("5010", "You and root were working on this at the same time.", WriteFailure.STALE_VERSION),
        (
            "610",
            "Object Not Found : Something you're trying to use has been made inactive.",
            WriteFailure.NOT_FOUND,
        ),
        (
            "6000",
            "This transaction has a linked payment; unlink it first.",
            WriteFailure.HAS_PAYMENTS,
        ),
        (
            "2500",
            "Invalid Reference Id : Customer assigned to this transaction is inactive.",
            WriteFailure.ARCHIVED_REFERENCE,
        ),
        (
            "2020",
            "Required param missing, need to supply the required value for DisplayName",
            WriteFailure.INVALID,
        ),
    ],
)
def test_each_fault_code_is_the_reason_the_sync_acts_on(code, detail, reason):
    assert write_failure(fault_errors(_fault(code, detail=detail))) is reason


def test_an_answer_without_a_fault_says_nothing_happened_that_can_be_told():
    assert fault_errors({"Customer": {"Id": "1"}}) == []
    assert write_failure([]) is WriteFailure.UNKNOWN


def test_the_401_fault_in_lower_case_is_read_too():
    body = {
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": "Token expired",
                    "code": "3200",
                }
            ],
            "type": "AUTHENTICATION",
        }
    }
    [error] = fault_errors(body)
    assert error.code == "3200"
    assert "Token expired" in error.text


def test_the_profile_states_quickbooks_rules():
    assert QUICKBOOKS_PROFILE.write_batch_size == 30
    assert not QUICKBOOKS_PROFILE.has_draft_invoices
    assert QUICKBOOKS_PROFILE.removal_for(True) is InvoiceRemoval.VOID
    assert QUICKBOOKS_PROFILE.contact_name_max_length == 500
    assert QUICKBOOKS_PROFILE.item_name_max_length == 100
    assert (
        QUICKBOOKS_PROFILE.invoice_url("130") == "https://app.qbo.intuit.com/app/invoice?txnId=130"
    )


def test_a_customer_reads_as_a_customer_contact_and_an_inactive_one_as_archived():
    body = {
        "Id": "58",
        "SyncToken": "2",
        "DisplayName": "Harbour Cafe",
        "PrimaryEmailAddr": {"Address": "accounts@harbour.example"},
        "PrimaryPhone": {"FreeFormNumber": "02 9555 0101"},
        "Active": True,
        "MetaData": META,
    }
    contact = contact_from_qbo(body)
    assert (contact.id, contact.name, contact.email, contact.phone) == (
        "58",
        "Harbour Cafe",
        "accounts@harbour.example",
        "02 9555 0101",
    )
    assert contact.is_customer
    assert contact.is_active
    assert contact.updated_at == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert contact_from_qbo({**body, "Active": False}).status is RecordStatus.ARCHIVED
    deleted = contact_from_qbo({"Id": "58", "status": "Deleted", "MetaData": META})
    assert deleted.status is RecordStatus.ARCHIVED


def test_a_contact_update_is_sparse_with_its_sync_token():
    body = contact_to_qbo(
        AppContactDraft(id="58", name="Harbour Cafe", email="a@b.example", phone="0" * 40), "3"
    )
    assert body["sparse"] is True
    assert body["SyncToken"] == "3"
    assert body["Id"] == "58"
    assert body["PrimaryEmailAddr"] == {"Address": "a@b.example"}
    assert len(body["PrimaryPhone"]["FreeFormNumber"]) == QUICKBOOKS_PROFILE.phone_max_length
    # Fields Loc8 does not own are not sent, so QuickBooks keeps them.
    assert "BillAddr" not in body
    assert "Notes" not in body
    created = contact_to_qbo(AppContactDraft(name="New Co"))
    assert "Id" not in created
    assert "sparse" not in created


def test_an_item_carries_loc8s_code_as_its_sku_and_its_income_account():
    item = item_from_qbo(
        {
            "Id": "7",
            "Name": "Drain clearing",
            "Sku": "DRN-01",
            "Type": "Service",
            "UnitPrice": 180,
            "IncomeAccountRef": {"value": "79", "name": "Sales"},
            "SalesTaxCodeRef": {"value": "10"},
            "MetaData": META,
        }
    )
    assert item is not None
    assert (item.code, item.name, item.unit_price, item.account_code, item.tax_type) == (
        "DRN-01",
        "Drain clearing",
        Decimal("180"),
        "79",
        "10",
    )
    no_sku = item_from_qbo(
        {"Id": "8", "Name": "Call out", "Type": "NonInventory", "MetaData": META}
    )
    assert no_sku is not None
    assert no_sku.code == "Call out"
    assert item_from_qbo({"Id": "9", "Name": "Plumbing", "Type": "Category"}) is None
    body = item_to_qbo(
        AppItem(
            code="DRN-01",
            name="x" * 150,
            unit_price=Decimal("180.5"),
            account_code="79",
            tax_type="10",
        )
    )
    assert body["Type"] == "Service"
    assert body["Sku"] == "DRN-01"
    assert len(body["Name"]) == 100
    assert body["IncomeAccountRef"] == {"value": "79"}


def test_accounts_are_named_by_id_and_bank_accounts_take_payments():
    sales = account_from_qbo(
        {
            "Id": "79",
            "Name": "Sales",
            "Classification": "Revenue",
            "AccountType": "Income",
            "Active": True,
        }
    )
    bank = account_from_qbo(
        {
            "Id": "35",
            "Name": "Business Cheque",
            "Classification": "Asset",
            "AccountType": "Bank",
            "Active": True,
        }
    )
    assert sales is not None
    assert bank is not None
    assert sales.code == "79"
    assert sales.account_class is AccountClass.REVENUE
    assert sales.takes_sales
    assert bank.accepts_payments
    assert not sales.accepts_payments
    assert account_from_qbo({"Id": "1", "Name": "?", "Classification": "Other"}) is None


def test_a_tax_code_is_one_rate_summed_from_its_sales_rates():
    code = {
        "Id": "10",
        "Name": "GST",
        "Active": True,
        "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "20"}}]},
        "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "21"}}]},
    }
    rate = tax_rate_from_qbo(code, {"20": Decimal("10"), "21": Decimal("10")})
    assert (rate.code, rate.name, rate.rate, rate.applies_to_revenue) == (
        "10",
        "GST",
        Decimal("10"),
        True,
    )
    purchases = tax_rate_from_qbo(
        {
            "Id": "11",
            "Name": "GST on purchases",
            "PurchaseTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "21"}}]},
        },
        {"21": Decimal("10")},
    )
    assert not purchases.applies_to_revenue


INVOICE = {
    "Id": "130",
    "SyncToken": "1",
    "DocNumber": "INV-1001",
    "TxnDate": "2026-11-20",
    "DueDate": "2026-12-20",
    "CustomerRef": {"value": "58", "name": "Harbour Cafe"},
    "CustomerMemo": {"value": "Job 77"},
    "PrivateNote": "Loc8: https://loc8.example/invoices/i-1",
    "GlobalTaxCalculation": "TaxExcluded",
    "TotalAmt": 198.0,
    "Balance": 198.0,
    "Line": [
        {
            "Id": "1",
            "LineNum": 1,
            "Description": "Drain clearing",
            "Amount": 180.0,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {
                "ItemRef": {"value": "7", "name": "Drain clearing"},
                "Qty": 1,
                "UnitPrice": 180,
                "TaxCodeRef": {"value": "10"},
                "ItemAccountRef": {"value": "79"},
            },
        },
        {"Amount": 180.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
    ],
    "LinkedTxn": [],
    "MetaData": META,
}


def test_an_invoice_reads_with_its_lines_memo_and_link_back_to_loc8():
    invoice = invoice_from_qbo(INVOICE, {"7": "DRN-01"})
    assert invoice.status is AppInvoiceStatus.APPROVED
    assert (invoice.number, invoice.contact_id, invoice.reference) == ("INV-1001", "58", "Job 77")
    assert invoice.url == "https://loc8.example/invoices/i-1"
    [line] = invoice.lines
    assert (line.id, line.item_code, line.account_code, line.tax_type) == (
        "1",
        "DRN-01",
        "79",
        "10",
    )
    assert invoice.amount_paid == Decimal("0")


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"Balance": 0.0}, AppInvoiceStatus.PAID),
        ({"TotalAmt": 0, "Balance": 0, "PrivateNote": "Voided"}, AppInvoiceStatus.VOIDED),
        ({"status": "Deleted"}, AppInvoiceStatus.DELETED),
    ],
)
def test_paid_voided_and_deleted_invoices_are_told_apart(changes, status):
    assert invoice_from_qbo({**INVOICE, **changes}).status is status


def _draft(**changes) -> AppInvoice:
    base = AppInvoice(
        number="INV-1001",
        contact_id="58",
        status=AppInvoiceStatus.APPROVED,
        date=date(2026, 11, 20),
        due_date=date(2026, 12, 20),
        reference="Job 77",
        url="https://loc8.example/invoices/i-1",
        lines=[
            AppInvoiceLine(
                description="Drain clearing",
                quantity=Decimal("3"),
                unit_amount=Decimal("33.3333"),
                tax_type="10",
                item_code="drn-01",
                account_code="79",
            )
        ],
    )
    return base.model_copy(update=changes)


def test_an_invoice_goes_out_tax_exclusive_with_its_item_and_tax_code_per_line():
    body = invoice_to_qbo(
        _draft(),
        item_for=lambda line: "7" if line.item_code == "drn-01" else None,
        automated_sales_tax=False,
    )
    assert body["GlobalTaxCalculation"] == "TaxExcluded"
    assert body["DocNumber"] == "INV-1001"
    assert body["CustomerRef"] == {"value": "58"}
    assert body["PrivateNote"] == "Loc8: https://loc8.example/invoices/i-1"
    [line] = body["Line"]
    assert line["SalesItemLineDetail"]["ItemRef"] == {"value": "7"}
    assert line["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "10"}
    # QuickBooks checks Amount = Qty x UnitPrice to the cent.
    assert line["Amount"] == 100.0


def test_a_us_invoice_leaves_the_tax_to_automated_sales_tax():
    body = invoice_to_qbo(
        _draft(
            lines=[
                AppInvoiceLine(
                    description="Call out",
                    quantity=Decimal(1),
                    unit_amount=Decimal(90),
                    tax_type="TAX",
                )
            ]
        ),
        item_for=lambda _line: "1",
        automated_sales_tax=True,
    )
    assert "GlobalTaxCalculation" not in body
    assert body["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "TAX"}


def test_an_invoice_update_is_sparse_and_keeps_the_line_ids():
    draft = _draft(id="130", lines=[_draft().lines[0].model_copy(update={"id": "1"})])
    body = invoice_to_qbo(
        draft, item_for=lambda _line: "1", automated_sales_tax=False, sync_token="4"
    )
    assert (body["Id"], body["SyncToken"], body["sparse"]) == ("130", "4", True)
    assert body["Line"][0]["Id"] == "1"


def test_a_payment_reads_once_per_invoice_it_pays():
    body = {
        "Id": "140",
        "TxnDate": "2026-11-25",
        "TotalAmt": 300,
        "PaymentRefNum": "EFT 9",
        "Line": [
            {"Amount": 198, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]},
            {"Amount": 102, "LinkedTxn": [{"TxnId": "131", "TxnType": "Invoice"}]},
        ],
        "MetaData": META,
    }
    first, second = payments_from_qbo(body)
    assert (first.id, first.invoice_id, first.amount) == ("140-130", "130", Decimal("198"))
    assert (second.id, second.invoice_id, second.amount) == ("140-131", "131", Decimal("102"))
    single = payments_from_qbo({**body, "Line": body["Line"][:1]})
    assert [p.id for p in single] == ["140"]
    [deleted] = payments_from_qbo({"Id": "140", "status": "Deleted", "MetaData": META})
    assert deleted.status is RecordStatus.ARCHIVED


def test_a_payment_goes_to_its_invoice_into_the_chosen_account():
    body = payment_to_qbo(
        AppPaymentDraft(
            invoice_id="130",
            account_code="35",
            amount=Decimal("198.00"),
            date=date(2026, 11, 25),
            reference="x" * 30,
        ),
        "58",
    )
    assert body["CustomerRef"] == {"value": "58"}
    assert body["DepositToAccountRef"] == {"value": "35"}
    assert body["Line"] == [
        {"Amount": 198.0, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}
    ]
    assert len(body["PaymentRefNum"]) == 21


def test_queries_quote_values_and_page_oldest_change_first():
    assert quote("O'Brien Plumbing") == "'O\\'Brien Plumbing'"
    since = datetime(2026, 11, 2, 10, 30, 15, 999, tzinfo=UTC)
    assert changed_since("Customer", since, 3) == (
        "select * from Customer where Metadata.LastUpdatedTime >= '2026-11-02T10:30:15+00:00' "
        "ORDERBY Metadata.LastUpdatedTime STARTPOSITION 2001 MAXRESULTS 1000"
    )
    assert where_in("Invoice", "DocNumber", ["A-1", "B'2"]) == (
        "select * from Invoice where DocNumber IN ('A-1', 'B\\'2') MAXRESULTS 1000"
    )


def test_request_ids_are_stable_per_key_and_body_and_within_intuits_length():
    body = {
        "BatchItemRequest": [{"bId": "0", "operation": "create", "Customer": {"DisplayName": "A"}}]
    }
    key = "inv-create-" + "a" * 40
    assert request_id(key, body) == request_id(key, json.loads(json.dumps(body)))
    other = {
        "BatchItemRequest": [{**body["BatchItemRequest"][0], "Customer": {"DisplayName": "B"}}]
    }
    assert request_id(key, other) != request_id(key, body)
    assert len(request_id("x" * 200, body)) <= 50


def test_the_rate_budget_counts_calls_and_batches_in_a_sliding_minute():
    moment = [0.0]
    counter = RateCounter(now=lambda: moment[0])
    assert counter.budget().calls_left is None  # nothing known before the first call
    for _ in range(39):
        counter.record(batch=True)
    budget = counter.budget()
    assert budget.calls_left == 1  # 40 batch requests a minute is the tighter window
    moment[0] = 61.0
    assert counter.budget().calls_left == 500  # no batch sent this minute
    counter.throttled(batch=False, seconds=60)
    assert counter.budget().calls_left == 0
    assert counter.budget().refill_seconds == pytest.approx(60)
