"""PUT/POST on a collection: every element is tried in turn, as Xero does.

With summarizeErrors=true (the default) any failure makes the answer a 400
ValidationException listing the failed elements, yet the valid elements of the same
batch ARE saved, which is real Xero's surprising behaviour and why clients should
send summarizeErrors=false. With false the answer is 200 and every element carries
StatusAttributeString OK or ERROR (with its ValidationErrors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from localdev.xero.accounting import inputs
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.problems import validation_exception
from localdev.xero.accounting.records import Invalid, Record, WriteContext
from localdev.xero.accounting.resources import ALL, BY_NAME, ReadOptions, Resource


def parse_elements(resource: Resource, body: Any) -> list[dict[str, Any]]:
    """All elements typed before any is saved: a malformed one fails the whole request."""
    return [
        inputs.parse_object(element, resource.input_spec)
        for element in inputs.elements(body, resource.name, resource.singular)
    ]


def write(
    books: Books,
    resource: Resource,
    elements: list[dict[str, Any]],
    ctx: WriteContext,
    options: ReadOptions,
    *,
    summarize_errors: bool,
) -> list[dict[str, Any]]:
    assert resource.save is not None
    outcomes: list[Record | Invalid] = []
    with books.lock:
        for data in elements:
            try:
                outcomes.append(resource.save(books, data, ctx))
            except Invalid as invalid:
                outcomes.append(invalid)
        saved = [outcome for outcome in outcomes if not isinstance(outcome, Invalid)]
        related = resource.related(books, saved, options.today)
    failures = [outcome.element for outcome in outcomes if isinstance(outcome, Invalid)]
    if failures and summarize_errors:
        raise validation_exception(failures)
    result = []
    for outcome in outcomes:
        if isinstance(outcome, Invalid):
            result.append(outcome.element)
        else:
            element = resource.render(outcome, related, options)
            element["StatusAttributeString"] = "OK"
            result.append(element)
    return result


def seed(
    books: Books, records: Mapping[str, Iterable[Mapping[str, Any]]], ctx: WriteContext
) -> dict[str, list[str]]:
    """Bulk-create records through the API's own rules (no HTTP, no rate limits).

    ``records`` maps collection names to Xero JSON elements; collections are applied
    in dependency order (tax rates, accounts, contacts, items, invoices, payments).
    The first invalid element raises ValueError; earlier ones stay created.
    """
    unknown = set(records) - set(BY_NAME)
    if unknown:
        raise ValueError(f"unknown collections: {', '.join(sorted(unknown))}")
    created: dict[str, list[str]] = {}
    for resource in ALL:
        if resource.name not in records:
            continue
        assert resource.save is not None
        elements = parse_elements(resource, {resource.name: list(records[resource.name])})
        ids = created.setdefault(resource.name, [])
        with books.lock:
            for data in elements:
                try:
                    ids.append(resource.save(books, data, ctx)[resource.id_field])
                except Invalid as invalid:
                    problems = "; ".join(invalid.messages)
                    raise ValueError(f"{resource.singular} rejected: {problems}") from None
    return created
