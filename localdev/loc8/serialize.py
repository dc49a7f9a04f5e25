"""The contract's JSON shapes for stored records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from localdev.loc8.models import Customer, Invoice, LineItem, Payment, TaxType
from localdev.loc8.money import money_string, rate_string


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, fixed width so it also sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stamps(record: Customer | LineItem | TaxType | Invoice) -> dict[str, Any]:
    return {"version": record.version, "updated_at": timestamp(record.updated_at)}


def customer_json(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, **customer.fields.model_dump(mode="json"), **_stamps(customer)}


def line_item_json(item: LineItem) -> dict[str, Any]:
    return {"id": item.id, **item.fields.model_dump(mode="json"), **_stamps(item)}


def tax_type_json(tax_type: TaxType) -> dict[str, Any]:
    return {
        "id": tax_type.id,
        **tax_type.fields.model_dump(mode="json"),
        "rate": rate_string(tax_type.fields.rate),
        "active": tax_type.active,
        **_stamps(tax_type),
    }


def payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "app": payment.app,
        "external_id": payment.external_id,
        "amount": money_string(payment.amount),
        "paid_on": payment.paid_on.isoformat(),
        "reference": payment.reference,
        "recorded_at": timestamp(payment.recorded_at),
    }


def invoice_json(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "customer_id": invoice.customer_id,
        "reference": invoice.reference,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "status": invoice.status,
        "currency": invoice.currency,
        "lines": [
            {
                "id": line.id,
                "line_item_id": line.line_item_id,
                "description": line.description,
                "quantity": format(line.quantity, "f"),
                "unit_price": format(line.unit_price, "f"),
                "tax_type_code": line.tax_type_code,
                "line_amount": money_string(line.line_amount),
                "tax_amount": money_string(line.tax_amount),
            }
            for line in invoice.lines
        ],
        "subtotal": money_string(invoice.subtotal),
        "total_tax": money_string(invoice.total_tax),
        "total": money_string(invoice.total),
        "amount_paid": money_string(invoice.amount_paid),
        "amount_due": money_string(invoice.amount_due),
        "payments": [payment_json(payment) for payment in invoice.payments],
        "external_refs": [ref.model_dump(mode="json") for ref in invoice.external_refs.values()],
        **_stamps(invoice),
    }
