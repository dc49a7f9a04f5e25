"""Local stand-in for Loc8 core's service API (docs/loc8-core-api.yaml)."""

from localdev.emukit import Clock
from localdev.loc8.auth import DEFAULT_SERVICE_TOKEN
from localdev.loc8.emulator import Loc8Emulator
from localdev.loc8.schemas import (
    AddressIn,
    CustomerIn,
    ExternalRefIn,
    InvoiceIn,
    InvoiceLineIn,
    LineItemIn,
    PaymentIn,
    TaxTypeIn,
)
from localdev.loc8.seed import DEMO_BUSINESS_NAME, DEMO_TENANT_ID, load_demo
from localdev.loc8.tenant import TenantState

__all__ = [
    "DEFAULT_SERVICE_TOKEN",
    "DEMO_BUSINESS_NAME",
    "DEMO_TENANT_ID",
    "AddressIn",
    "Clock",
    "CustomerIn",
    "ExternalRefIn",
    "InvoiceIn",
    "InvoiceLineIn",
    "LineItemIn",
    "Loc8Emulator",
    "PaymentIn",
    "TaxTypeIn",
    "TenantState",
    "load_demo",
]
