"""A new organisation's books: the AU chart of accounts and GST rates every
organisation gets, plus the sample customers, suppliers, items and invoices of
"Demo Company (AU)"."""

from __future__ import annotations

from datetime import datetime, timedelta

from localdev.xero.accounting import (
    accounts,
    contacts,
    inputs,
    invoices,
    items,
    payments,
    tax_rates,
)
from localdev.xero.accounting.books import Books, organisation_record
from localdev.xero.accounting.records import WriteContext

# (TaxType, Name, rate %, ReportTaxType, Status) - AU GST rates as Xero sets them up.
AU_TAX_RATES = (
    ("OUTPUT", "GST on Income", "10", "OUTPUT", "ACTIVE"),
    ("EXEMPTOUTPUT", "GST Free Income", "0", "EXEMPTOUTPUT", "ACTIVE"),
    ("EXEMPTEXPORT", "GST Free Exports", "0", "EXEMPTEXPORT", "ACTIVE"),
    ("INPUT", "GST on Expenses", "10", "INPUT", "ACTIVE"),
    ("EXEMPTEXPENSES", "GST Free Expenses", "0", "EXEMPTEXPENSES", "ACTIVE"),
    ("CAPEXINPUT", "GST on Capital", "10", "CAPEXINPUT", "ACTIVE"),
    ("EXEMPTCAPITAL", "GST Free Capital", "0", "EXEMPTCAPITAL", "ACTIVE"),
    ("GSTONIMPORTS", "GST on Imports", "0", "GSTONIMPORTS", "ACTIVE"),
    ("GSTONCAPIMPORTS", "GST on Capital Imports", "0", "GSTONCAPIMPORTS", "ACTIVE"),
    ("INPUTTAXED", "Input Taxed", "0", "INPUTTAXED", "ACTIVE"),
    ("BASEXCLUDED", "BAS Excluded", "0", "BASEXCLUDED", "ACTIVE"),
    # A retired user-defined rate, so "TaxType must be ACTIVE" has something to trip on.
    ("TAX001", "Luxury Goods 12.5% (retired)", "12.5", "OUTPUT", "ARCHIVED"),
)

# (Code, Name, Type, TaxType, extras)
AU_ACCOUNTS: tuple[tuple[str, str, str, str, dict], ...] = (
    (
        "090",
        "Business Bank Account",
        "BANK",
        "BASEXCLUDED",
        {"bank_account_number": "062000123456"},
    ),
    (
        "091",
        "Business Savings Account",
        "BANK",
        "BASEXCLUDED",
        {"bank_account_number": "062000654321"},
    ),
    (
        "200",
        "Sales",
        "REVENUE",
        "OUTPUT",
        {"description": "Income from any normal business activity"},
    ),
    ("210", "Consulting Fees (old)", "REVENUE", "OUTPUT", {"status": "ARCHIVED"}),
    (
        "260",
        "Other Revenue",
        "REVENUE",
        "OUTPUT",
        {"description": "Any other income that does not relate to normal business activities"},
    ),
    ("270", "Interest Income", "REVENUE", "INPUTTAXED", {"description": "Interest income"}),
    (
        "300",
        "Purchases",
        "DIRECTCOSTS",
        "INPUT",
        {"description": "Goods purchased with the intention of selling these to customers"},
    ),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT", {}),
    ("400", "Advertising", "EXPENSE", "INPUT", {}),
    ("404", "Bank Fees", "EXPENSE", "EXEMPTEXPENSES", {}),
    ("408", "Cleaning", "EXPENSE", "INPUT", {}),
    ("412", "Consulting & Accounting", "EXPENSE", "INPUT", {}),
    ("416", "Depreciation", "DEPRECIATN", "BASEXCLUDED", {}),
    ("420", "Entertainment", "EXPENSE", "BASEXCLUDED", {}),
    ("425", "Freight & Courier", "EXPENSE", "INPUT", {}),
    ("429", "General Expenses", "EXPENSE", "INPUT", {}),
    ("433", "Insurance", "EXPENSE", "INPUT", {}),
    ("437", "Interest Expense", "EXPENSE", "EXEMPTEXPENSES", {}),
    ("441", "Legal expenses", "EXPENSE", "INPUT", {}),
    ("445", "Light, Power, Heating", "EXPENSE", "INPUT", {}),
    ("449", "Motor Vehicle Expenses", "EXPENSE", "INPUT", {}),
    ("453", "Office Expenses", "EXPENSE", "INPUT", {}),
    ("461", "Printing & Stationery", "EXPENSE", "INPUT", {}),
    ("469", "Rent", "EXPENSE", "INPUT", {}),
    ("473", "Repairs and Maintenance", "EXPENSE", "INPUT", {}),
    ("477", "Wages and Salaries", "EXPENSE", "BASEXCLUDED", {}),
    ("478", "Superannuation", "EXPENSE", "BASEXCLUDED", {}),
    ("485", "Subscriptions", "EXPENSE", "INPUT", {}),
    ("489", "Telephone & Internet", "EXPENSE", "INPUT", {}),
    ("493", "Travel - National", "EXPENSE", "INPUT", {}),
    ("494", "Travel - International", "EXPENSE", "EXEMPTEXPENSES", {}),
    (
        "497",
        "Bank Revaluations",
        "OVERHEADS",
        "BASEXCLUDED",
        {"system_account": "BANKCURRENCYGAIN"},
    ),
    ("505", "Income Tax Expense", "EXPENSE", "BASEXCLUDED", {}),
    ("610", "Accounts Receivable", "CURRENT", "BASEXCLUDED", {"system_account": "DEBTORS"}),
    ("615", "Payments Clearing", "CURRENT", "BASEXCLUDED", {"enable_payments": True}),
    ("620", "Prepayments", "PREPAYMENT", "BASEXCLUDED", {}),
    ("630", "Inventory", "INVENTORY", "BASEXCLUDED", {}),
    ("710", "Office Equipment", "FIXED", "INPUT", {}),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "BASEXCLUDED", {}),
    ("720", "Computer Equipment", "FIXED", "INPUT", {}),
    ("800", "Accounts Payable", "CURRLIAB", "BASEXCLUDED", {"system_account": "CREDITORS"}),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "BASEXCLUDED", {"system_account": "UNPAIDEXPCLM"}),
    (
        "804",
        "Wages Payable - Payroll",
        "CURRLIAB",
        "BASEXCLUDED",
        {"system_account": "WAGEPAYABLES"},
    ),
    ("820", "GST", "CURRLIAB", "BASEXCLUDED", {"system_account": "GST"}),
    ("825", "PAYG Withholdings Payable", "CURRLIAB", "BASEXCLUDED", {}),
    ("826", "Superannuation Payable", "CURRLIAB", "BASEXCLUDED", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "BASEXCLUDED", {"system_account": "HISTORICAL"}),
    ("860", "Rounding", "CURRLIAB", "BASEXCLUDED", {"system_account": "ROUNDING"}),
    (
        "877",
        "Tracking Transfers",
        "CURRLIAB",
        "BASEXCLUDED",
        {"system_account": "TRACKINGTRANSFERS"},
    ),
    ("880", "Owner A Drawings", "CURRLIAB", "BASEXCLUDED", {}),
    ("881", "Owner A Funds Introduced", "CURRLIAB", "BASEXCLUDED", {}),
    ("900", "Loan", "TERMLIAB", "BASEXCLUDED", {}),
    ("960", "Retained Earnings", "EQUITY", "BASEXCLUDED", {"system_account": "RETAINEDEARNINGS"}),
    ("970", "Owner A Share Capital", "EQUITY", "BASEXCLUDED", {}),
)

_DEMO_CUSTOMERS = (
    ("Bayside Club", "accounts@bayside.example.com", "CUST-001"),
    ("Boom FM", "finance@boomfm.example.com", "CUST-002"),
    ("City Agency", "ap@cityagency.example.com", "CUST-003"),
    ("Hamilton Smith Ltd", "payables@hamiltonsmith.example.com", "CUST-004"),
    ("Marine Systems", "accounts@marinesystems.example.com", "CUST-005"),
    ("Ridgeway University", "finance@ridgeway.example.edu", "CUST-006"),
)
_DEMO_SUPPLIERS = (
    ("24 Locks", "orders@24locks.example.com"),
    ("Capital Cab Co", "billing@capitalcab.example.com"),
    ("PowerDirect", "accounts@powerdirect.example.com"),
    ("SMART Agency", "invoices@smartagency.example.com"),
)
# A bill from each supplier but PowerDirect (its bill is among the sample invoices): Xero
# marks a contact IsSupplier once it has a bill, and the suppliers are not customers.
_DEMO_SUPPLIER_BILLS = (
    ("24 Locks", "24L-5531", "Padlocks and keys", "186.45", "429", 25),
    ("Capital Cab Co", "CCC-0917", "Taxi to site", "48.20", "493", 12),
    ("SMART Agency", "SA-2207", "Job advertising", "660.00", "400", 8),
)
_DEMO_ITEMS = (
    {
        "Code": "CALLOUT",
        "Name": "Call-out fee",
        "Description": "Call-out fee (first 30 minutes)",
        "IsPurchased": False,
        "SalesDetails": {"UnitPrice": "95.00", "AccountCode": "200", "TaxType": "OUTPUT"},
    },
    {
        "Code": "LABOUR-HR",
        "Name": "Labour (per hour)",
        "Description": "Technician labour, per hour",
        "IsPurchased": False,
        "SalesDetails": {"UnitPrice": "110.00", "AccountCode": "200", "TaxType": "OUTPUT"},
    },
    {
        "Code": "FILTER-01",
        "Name": "Replacement filter",
        "Description": "Replacement filter cartridge",
        "PurchaseDescription": "Filter cartridge (wholesale)",
        "SalesDetails": {"UnitPrice": "45.00", "AccountCode": "200", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"UnitPrice": "18.00", "AccountCode": "300", "TaxType": "INPUT"},
    },
)


def new_books(tenant_id: str, name: str, now: datetime, *, demo: bool, chart: bool = True) -> Books:
    short_code = "!" + tenant_id.replace("-", "")[:5]
    books = Books(
        tenant_id, organisation_record(tenant_id, name, now, demo=demo, short_code=short_code)
    )
    if chart:
        for tax_type, rate_name, rate, report_type, status in AU_TAX_RATES:
            tax_rates.add(
                books, tax_rates.make(tax_type, rate_name, rate, report_type, status=status)
            )
        for code, account_name, account_type, tax_type, extras in AU_ACCOUNTS:
            accounts.add(
                books, accounts.make(code, account_name, account_type, tax_type, now, **extras)
            )
    if demo:
        _add_demo_records(books, now)
    return books


def _add_demo_records(books: Books, now: datetime) -> None:
    ctx = WriteContext(now=now, client_id="xero-demo-data", mode="create")
    for name, email, number in _DEMO_CUSTOMERS:
        contacts.save(books, {"Name": name, "EmailAddress": email, "ContactNumber": number}, ctx)
    for name, email in _DEMO_SUPPLIERS:
        contacts.save(books, {"Name": name, "EmailAddress": email}, ctx)
    contacts.save(books, {"Name": "Old Customer Pty Ltd", "ContactStatus": "ARCHIVED"}, ctx)
    for item in _DEMO_ITEMS:
        items.save(books, inputs.parse_object(item, items.INPUT), ctx)

    today = now.date()
    sample_invoices = (
        {
            "Type": "ACCREC",
            "Contact": {"Name": "Bayside Club"},
            "Date": (today - timedelta(days=20)).isoformat(),
            "DueDate": (today - timedelta(days=6)).isoformat(),
            "Reference": "Job 1001",
            "Status": "AUTHORISED",
            "LineItems": [
                {"ItemCode": "CALLOUT", "Quantity": 1},
                {"ItemCode": "LABOUR-HR", "Quantity": 2},
            ],
        },
        {
            "Type": "ACCREC",
            "Contact": {"Name": "Boom FM"},
            "Date": (today - timedelta(days=10)).isoformat(),
            "DueDate": (today + timedelta(days=4)).isoformat(),
            "Reference": "Job 1002",
            "Status": "AUTHORISED",
            "LineItems": [
                {"ItemCode": "FILTER-01", "Quantity": 3},
                {"ItemCode": "LABOUR-HR", "Quantity": 1},
            ],
        },
        {
            "Type": "ACCPAY",
            "Contact": {"Name": "PowerDirect"},
            "Date": (today - timedelta(days=15)).isoformat(),
            "DueDate": (today + timedelta(days=15)).isoformat(),
            "InvoiceNumber": "PD-88213",
            "Status": "AUTHORISED",
            "LineAmountTypes": "Inclusive",
            "LineItems": [
                {
                    "Description": "Electricity - workshop",
                    "Quantity": 1,
                    "UnitAmount": 412.50,
                    "AccountCode": "445",
                }
            ],
        },
    )
    created = [
        invoices.save(books, inputs.parse_object(i, invoices.INPUT), ctx) for i in sample_invoices
    ]
    payment = {
        "Invoice": {"InvoiceID": created[1]["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": (today - timedelta(days=2)).isoformat(),
        "Amount": str(created[1]["Total"]),
        "Reference": "EFT Boom FM",
    }
    payments.save(books, inputs.parse_object(payment, payments.INPUT), ctx)
    for supplier, number, description, amount, account_code, days_ago in _DEMO_SUPPLIER_BILLS:
        bill = {
            "Type": "ACCPAY",
            "Contact": {"Name": supplier},
            "Date": (today - timedelta(days=days_ago)).isoformat(),
            "DueDate": (today - timedelta(days=days_ago) + timedelta(days=30)).isoformat(),
            "InvoiceNumber": number,
            "Status": "AUTHORISED",
            "LineAmountTypes": "Inclusive",
            "LineItems": [
                {
                    "Description": description,
                    "Quantity": 1,
                    "UnitAmount": amount,
                    "AccountCode": account_code,
                }
            ],
        }
        invoices.save(books, inputs.parse_object(bill, invoices.INPUT), ctx)
