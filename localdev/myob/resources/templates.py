"""Every field of each resource as MYOB answers it, with the value a new record starts
with. The keys are also what a request body and an OData query may name."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def customer_template() -> Record:
    return {
        "UID": None,
        "CompanyName": None,
        "LastName": None,
        "FirstName": None,
        "IsIndividual": False,
        "DisplayID": "*None",
        "IsActive": True,
        "Addresses": [],
        "Notes": None,
        "CurrentBalance": 0.0,
        "SellingDetails": {
            "SaleLayout": "NoDefault",
            "PrintedForm": None,
            "InvoiceDelivery": "Print",
            "ItemPriceLevel": None,
            "IncomeAccount": None,
            "ReceiptMemo": None,
            "SalesPerson": None,
            "SaleComment": None,
            "ShippingMethod": None,
            "HourlyBillingRate": 0.0,
            "ABN": None,
            "ABNBranch": None,
            "TaxCode": None,
            "FreightTaxCode": None,
            "UseCustomerTaxCode": False,
            "Terms": None,
            "Credit": None,
            "TaxIdNumber": None,
            "Memo": None,
        },
        "PhotoURI": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def item_template() -> Record:
    return {
        "UID": None,
        "Number": None,
        "Name": None,
        "IsActive": True,
        "Description": None,
        "UseDescription": False,
        "QuantityOnHand": 0.0,
        "QuantityCommitted": 0.0,
        "QuantityOnOrder": 0.0,
        "QuantityAvailable": 0.0,
        "AverageCost": 0.0,
        "CurrentValue": 0.0,
        "BaseSellingPrice": 0.0,
        "IsBought": False,
        "IsSold": False,
        "IsInventoried": False,
        "CostOfSalesAccount": None,
        "IncomeAccount": None,
        "ExpenseAccount": None,
        "AssetAccount": None,
        "BuyingDetails": None,
        "SellingDetails": {
            "BaseSellingPrice": 0.0,
            "SellingUnitOfMeasure": None,
            "ItemsPerSellingUnit": 1.0,
            "TaxCode": None,
            "IsTaxInclusive": False,
            "CalculateSalesTaxOn": "ActualSellingPrice",
        },
        "PhotoURI": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def invoice_template() -> Record:
    return {
        "UID": None,
        "Number": None,
        "Date": None,
        "CustomerPurchaseOrderNumber": None,
        "Customer": None,
        "PromisedDate": None,
        "BalanceDueAmount": 0.0,
        "Status": "Open",
        "InvoiceType": None,
        "Lines": [],
        "ShipToAddress": None,
        "Terms": None,
        "IsTaxInclusive": False,
        "Subtotal": 0.0,
        "Freight": 0.0,
        "FreightTaxCode": None,
        "TotalTax": 0.0,
        "TotalAmount": 0.0,
        "Comment": None,
        "ShippingMethod": None,
        "JournalMemo": None,
        "InvoiceDeliveryStatus": "Nothing",
        "LastPaymentDate": None,
        "ForeignCurrency": None,
        "CurrencyExchangeRate": 1.0,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def payment_template() -> Record:
    return {
        "UID": None,
        "DepositTo": None,
        "Account": None,
        "Customer": None,
        "ReceiptNumber": None,
        "Date": None,
        "AmountReceived": 0.0,
        "PaymentMethod": None,
        "Memo": None,
        "Invoices": [],
        "ForeignCurrency": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def account_template() -> Record:
    return {
        "UID": None,
        "Name": None,
        "DisplayID": None,
        "Classification": None,
        "Type": None,
        "Number": None,
        "Description": None,
        "ParentAccount": None,
        "IsActive": True,
        "TaxCode": None,
        "Level": 4,
        "OpeningBalance": 0.0,
        "CurrentBalance": 0.0,
        "BankingDetails": None,
        "IsHeader": False,
        "LastReconciledDate": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }


def tax_code_template() -> Record:
    return {
        "UID": None,
        "Code": None,
        "Description": None,
        "Type": None,
        "Rate": 0.0,
        "IsRateNegative": False,
        "TaxCollectedAccount": None,
        "TaxPaidAccount": None,
        "LastModified": None,
        "URI": None,
        "RowVersion": None,
    }
