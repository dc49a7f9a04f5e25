"""The Accounting API endpoints under /api.xro/2.0.

Rule placeholders are named as in Xero's spec, so call counts read e.g.
"GET /api.xro/2.0/Contacts/{ContactID}".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, request

from localdev.xero.accounting import gate, inputs, items, payments, writes
from localdev.xero.accounting.dates import to_millis
from localdev.xero.accounting.idempotency import request_fingerprint
from localdev.xero.accounting.listing import flag, list_page, parse_query
from localdev.xero.accounting.paths import CaseInsensitivePaths
from localdev.xero.accounting.problems import (
    AccountingError,
    not_found,
    post_data_invalid,
    validation_exception,
)
from localdev.xero.accounting.records import Invalid, WriteContext, plain
from localdev.xero.accounting.resources import (
    ACCOUNTS,
    CONTACTS,
    INVOICES,
    ITEMS,
    PAYMENTS,
    TAX_RATES,
    ReadOptions,
    Resource,
)
from localdev.xero.accounting.responses import envelope
from localdev.xero.context import services

blueprint = Blueprint("xero_accounting", __name__, url_prefix=gate.PREFIX)
blueprint.after_request(gate.add_limit_headers)
blueprint.teardown_request(gate.release_slot)


def install(app: Flask) -> None:
    """Register the gate (before the fault hooks are installed) and the endpoints."""
    gate.install(app, blueprint.name)
    app.register_blueprint(blueprint)
    app.wsgi_app = CaseInsensitivePaths(app.wsgi_app, gate.PREFIX)  # type: ignore[method-assign]


# --- helpers ------------------------------------------------------------------------------
def _options() -> ReadOptions:
    return ReadOptions(
        today=services().clock.now().date(),
        summary_only=flag(request.args, "summaryOnly"),
        unitdp=4 if request.args.get("unitdp") == "4" else 2,
    )


def _reply(resource_name: str, elements: list[dict[str, Any]], **kwargs: Any) -> Response:
    svc = services()
    return envelope(
        resource_name,
        elements,
        now=svc.clock.now(),
        provider_name=svc.state.registered_app.name,
        **kwargs,
    )


def _body() -> Any:
    if request.mimetype != "application/json":
        raise post_data_invalid(
            "The request body must be JSON with Content-Type: application/json "
            "(the emulator does not read XML)."
        )
    body = request.get_json(silent=True)
    if body is None:
        raise post_data_invalid("The request body is not valid JSON.")
    return body


def _context(mode: str, target_id: str | None = None) -> WriteContext:
    return WriteContext(
        now=to_millis(services().clock.now()),
        client_id=gate.caller().client_id,
        mode=mode,
        target_id=target_id,
        unitdp=4 if request.args.get("unitdp") == "4" else 2,
    )


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Replay/refuse per Idempotency-Key; error answers are remembered too, as Xero does."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        def run() -> Response:
            try:
                return view(**kwargs)
            except AccountingError as error:
                return error.to_response()

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(**kwargs)
        request_print = request_fingerprint(
            request.method, request.path, request.query_string.decode(), request.get_data()
        )
        return services().idempotency.run(gate.caller().connection, key, request_print, run)

    return wrapper


def _list(resource: Resource) -> Response:
    who = gate.caller()
    query = parse_query(request.args, request.headers)
    options = replace(_options(), listing=True, paged=bool(request.args.get("page")))
    page = list_page(who.books, resource, query, who.client_id, options)
    elements = [resource.render(record, page.related, options) for record in page.records]
    return _reply(resource.name, elements, pagination=page.pagination)


def _one(resource: Resource, key: str) -> Response:
    books = gate.caller().books
    options = _options()
    with books.lock:
        record = resource.find(books, key)
        if record is None:
            raise not_found()
        related = resource.related(books, [record], options.today)
    return _reply(resource.name, [resource.render(record, related, options)])


def _write(resource: Resource, mode: str, target_id: str | None = None) -> Response:
    elements = writes.parse_elements(resource, _body())
    if mode == "update":
        elements = elements[:1]
    result = writes.write(
        gate.caller().books,
        resource,
        elements,
        _context(mode, target_id),
        _options(),
        summarize_errors=request.args.get("summarizeErrors", "true").casefold() != "false",
    )
    return _reply(resource.name, result)


# --- Organisation -------------------------------------------------------------------------
@blueprint.get("/Organisation")
def get_organisations() -> Response:
    return _reply("Organisations", [plain(gate.caller().books.organisation)])


# --- Accounts -----------------------------------------------------------------------------
@blueprint.get("/Accounts")
def get_accounts() -> Response:
    return _list(ACCOUNTS)


@blueprint.get("/Accounts/<AccountID>")
def get_account(AccountID: str) -> Response:  # named as in Xero's spec
    return _one(ACCOUNTS, AccountID)


@blueprint.put("/Accounts")
@idempotent
def create_account() -> Response:
    return _write(ACCOUNTS, "create")


@blueprint.post("/Accounts/<AccountID>")
@idempotent
def update_account(AccountID: str) -> Response:
    return _write(ACCOUNTS, "update", AccountID)


# --- TaxRates -----------------------------------------------------------------------------
@blueprint.get("/TaxRates")
def get_tax_rates() -> Response:
    return _list(TAX_RATES)


@blueprint.get("/TaxRates/<TaxType>")
def get_tax_rate_by_tax_type(TaxType: str) -> Response:
    return _one(TAX_RATES, TaxType)


@blueprint.put("/TaxRates")
@idempotent
def create_tax_rates() -> Response:
    return _write(TAX_RATES, "create")


@blueprint.post("/TaxRates")
@idempotent
def update_tax_rate() -> Response:
    return _write(TAX_RATES, "upsert")


# --- Contacts -----------------------------------------------------------------------------
@blueprint.get("/Contacts")
def get_contacts() -> Response:
    return _list(CONTACTS)


@blueprint.get("/Contacts/<ContactID>")
def get_contact(ContactID: str) -> Response:  # also takes a ContactNumber
    return _one(CONTACTS, ContactID)


@blueprint.put("/Contacts")
@idempotent
def create_contacts() -> Response:
    return _write(CONTACTS, "create")


@blueprint.post("/Contacts")
@idempotent
def update_or_create_contacts() -> Response:
    return _write(CONTACTS, "upsert")


@blueprint.post("/Contacts/<ContactID>")
@idempotent
def update_contact(ContactID: str) -> Response:
    return _write(CONTACTS, "update", ContactID)


# --- Items --------------------------------------------------------------------------------
@blueprint.get("/Items")
def get_items() -> Response:
    return _list(ITEMS)


@blueprint.get("/Items/<ItemID>")
def get_item(ItemID: str) -> Response:  # also takes the item Code
    return _one(ITEMS, ItemID)


@blueprint.put("/Items")
@idempotent
def create_items() -> Response:
    return _write(ITEMS, "create")


@blueprint.post("/Items")
@idempotent
def update_or_create_items() -> Response:
    return _write(ITEMS, "upsert")


@blueprint.post("/Items/<ItemID>")
@idempotent
def update_item(ItemID: str) -> Response:
    return _write(ITEMS, "update", ItemID)


@blueprint.delete("/Items/<ItemID>")
def delete_item(ItemID: str) -> Response:
    books = gate.caller().books
    with books.lock:
        item = items.find(books, ItemID)
        if item is None:
            raise not_found()
        items.delete(books, item["ItemID"])
    return Response(status=204)


# --- Invoices -----------------------------------------------------------------------------
@blueprint.get("/Invoices")
def get_invoices() -> Response:
    return _list(INVOICES)


@blueprint.get("/Invoices/<InvoiceID>")
def get_invoice(InvoiceID: str) -> Response:  # also takes an InvoiceNumber
    return _one(INVOICES, InvoiceID)


@blueprint.put("/Invoices")
@idempotent
def create_invoices() -> Response:
    return _write(INVOICES, "create")


@blueprint.post("/Invoices")
@idempotent
def update_or_create_invoices() -> Response:
    return _write(INVOICES, "upsert")


@blueprint.post("/Invoices/<InvoiceID>")
@idempotent
def update_invoice(InvoiceID: str) -> Response:
    return _write(INVOICES, "update", InvoiceID)


# --- Payments -----------------------------------------------------------------------------
@blueprint.get("/Payments")
def get_payments() -> Response:
    return _list(PAYMENTS)


@blueprint.get("/Payments/<PaymentID>")
def get_payment(PaymentID: str) -> Response:
    return _one(PAYMENTS, PaymentID)


@blueprint.put("/Payments")
@idempotent
def create_payments() -> Response:
    return _write(PAYMENTS, "create")


@blueprint.post("/Payments")
@idempotent
def create_payment() -> Response:
    # POST /Payments takes one Payment (not a collection) and has no summarizeErrors.
    return _write(PAYMENTS, "create")


@blueprint.post("/Payments/<PaymentID>")
@idempotent
def delete_payment(PaymentID: str) -> Response:
    given = inputs.elements(_body(), "Payments", "Payment")
    data = inputs.parse_object(given[0], payments.DELETE_INPUT) if given else {}
    books = gate.caller().books
    ctx = _context("update", PaymentID)
    options = _options()
    with books.lock:
        try:
            deleted = payments.delete(books, PaymentID, data, ctx)
        except Invalid as invalid:
            raise validation_exception([invalid.element]) from None
        related = PAYMENTS.related(books, [deleted], options.today)
    return _reply("Payments", [PAYMENTS.render(deleted, related, options)])


# --- Everything else Xero has (CreditNotes, BankTransactions, ...) -------------------------
@blueprint.route("/<path:rest>", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
def not_emulated(rest: str) -> Response:
    # Xero's own answer for an operation it does not offer is 501; here it also covers
    # real endpoints the emulator does not implement, so a client fails loudly.
    return Response(
        f"The Xero emulator does not implement {request.method} {gate.PREFIX}/{rest}",
        status=501,
        mimetype="text/plain",
    )
