"""The query language: Intuit's grammar and limits, paging, filters and its errors."""

from __future__ import annotations

import pytest

from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from localdev.quickbooks.accounting import query
from localdev.quickbooks.accounting.demo import seed_customers
from localdev.quickbooks.accounting.entities import ENTITIES
from localdev.quickbooks.accounting.faults import QuickBooksFault
from tests.support.quickbooks_api import Api, fault_of, qbo_api
from tests.support.quickbooks_emulator_fixtures import qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below

KNOWN = frozenset(ENTITIES)


def _seed(emulator: QuickBooksEmulator, count: int) -> None:
    company = emulator.companies.company(DEMO_REALM_ID)
    assert company is not None
    seed_customers(company, count, emulator.clock.now())


def _names(api: Api, text: str) -> list[str]:
    return [row["DisplayName"] for row in api.rows(text)]


def test_pages_walk_every_record_once_with_startposition_and_maxresults(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    _seed(qbo_emulator, 246)  # 250 customers with the demo company's four
    seen: list[str] = []
    for start in (1, 101, 201, 301):
        text = f"select * from Customer STARTPOSITION {start} MAXRESULTS 100"  # noqa: S608
        answer = qbo_api.query(text)
        page = answer.json()["QueryResponse"]
        seen += [row["Id"] for row in page.get("Customer", [])]
        if start == 201:
            assert (page["startPosition"], page["maxResults"]) == (201, 50)
        if start == 301:
            assert page == {}  # past the end: an empty QueryResponse

    assert len(seen) == len(set(seen)) == 250
    count = qbo_api.query("select count(*) from Customer").json()["QueryResponse"]
    assert count == {"totalCount": 250}


def test_without_maxresults_a_page_holds_100(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    _seed(qbo_emulator, 150)

    assert len(qbo_api.rows("select * from Customer")) == 100


def test_maxresults_above_1000_is_refused_not_capped(qbo_api: Api) -> None:
    answer = qbo_api.query("select * from Customer MAXRESULTS 1001")

    assert answer.status_code == 400
    assert fault_of(answer)["code"] == "4001"
    assert qbo_api.query("select * from Customer MAXRESULTS 1000").status_code == 200


def test_or_is_not_in_the_language(qbo_api: Api) -> None:
    answer = qbo_api.query(
        "select * from Customer where DisplayName = 'Jane Nguyen' or DisplayName = 'x'"
    )

    assert answer.status_code == 400
    assert fault_of(answer)["code"] == "4000"
    assert fault_of(answer)["Message"] == "Error parsing query"
    assert fault_of(answer)["Detail"].startswith("QueryParserError: Encountered")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "select * Customer",
        "select * from Customer where DisplayName == 'x'",
        'select * from Customer where DisplayName = "x"',
        "select * from Customer where (DisplayName = 'x')",
        "select * from Customer STARTPOSITION 0",
        "select * from Customer MAXRESULTS ten",
        "select * from Customer where DisplayName != 'x'",
        "select * from Customer where DisplayName = 'x' trailing",
    ],
)
def test_malformed_queries_are_query_parser_errors(qbo_api: Api, text: str) -> None:
    answer = qbo_api.query(text)

    assert answer.status_code == 400
    assert fault_of(answer)["code"] == "4000", answer.text


def test_only_filterable_properties_and_known_entities_are_accepted(qbo_api: Api) -> None:
    not_queryable = qbo_api.query("select * from Customer where Notes = 'x'")
    misspelt = qbo_api.query("select * from Customer where DisplyName = 'x'")
    no_entity = qbo_api.query("select * from Customers")

    for answer in (not_queryable, misspelt, no_entity):
        assert answer.status_code == 400
        assert fault_of(answer)["code"] == "4001"
        assert fault_of(answer)["Message"] == "Invalid query"


def test_where_compares_with_like_in_and_and(qbo_api: Api) -> None:
    like = _names(qbo_api, "select * from Customer where DisplayName LIKE '%beach%'")
    listed = _names(
        qbo_api, "select * from Customer where Id IN ('1', '4') ORDERBY DisplayName DESC"
    )
    both = _names(
        qbo_api,
        "select * from Customer where DisplayName LIKE 'B%' AND "
        "PrimaryEmailAddr = 'owner@bondibeachcafe.example.com'",
    )

    assert like == ["Bondi Beach Cafe"]
    assert listed == ["Jane Nguyen", "Harbourside Strata Management"]
    assert both == ["Bondi Beach Cafe"]


def test_quotes_in_values_are_escaped_with_a_backslash(qbo_api: Api) -> None:
    qbo_api.create("Customer", {"DisplayName": "O'Brien's Plumbing"})

    assert _names(
        qbo_api, "select * from Customer where DisplayName = 'O\\'Brien\\'s Plumbing'"
    ) == ["O'Brien's Plumbing"]


def test_last_updated_time_filters_and_orders_changes(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.clock.advance(120)
    cut = qbo_emulator.clock.now().replace(microsecond=0)
    qbo_emulator.clock.advance(5)
    later = qbo_api.create("Customer", {"DisplayName": "Later Pty Ltd"})
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    qbo_emulator.clock.advance(5)
    qbo_api.post(
        "/customer",
        {"Id": jane["Id"], "SyncToken": jane["SyncToken"], "sparse": True, "Notes": "x"},
    )

    since = f"Metadata.LastUpdatedTime >= '{cut.isoformat()}'"
    changed = _names(
        qbo_api,
        f"select * from Customer where {since} ORDERBY MetaData.LastUpdatedTime",  # noqa: S608
    )

    assert changed == [later["DisplayName"], "Jane Nguyen"]


def test_inactive_records_are_left_out_unless_active_is_asked_about(qbo_api: Api) -> None:
    jane = qbo_api.rows("select * from Customer where DisplayName = 'Jane Nguyen'")[0]
    qbo_api.post(
        "/customer",
        {"Id": jane["Id"], "SyncToken": jane["SyncToken"], "sparse": True, "Active": False},
    )

    assert "Jane Nguyen" not in _names(qbo_api, "select * from Customer")
    assert "Jane Nguyen" in _names(qbo_api, "select * from Customer where Active IN (true, false)")
    assert _names(qbo_api, "select * from Customer where Active = false") == ["Jane Nguyen"]


def test_a_field_list_answers_only_those_fields(qbo_api: Api) -> None:
    rows = qbo_api.rows("select Id, DisplayName from Customer where Id = '1'")

    assert rows == [
        {"Id": "1", "DisplayName": "Harbourside Strata Management", "domain": "QBO", "sparse": True}
    ]


def test_a_query_can_be_posted_as_text(qbo_api: Api) -> None:
    answer = qbo_api.call(
        "POST",
        "/query",
        data="select count(*) from Item",
        headers=qbo_api.headers(**{"Content-Type": "application/text"}),
    )

    assert answer.status_code == 200
    assert answer.json()["QueryResponse"] == {"totalCount": 4}


def test_keywords_are_case_insensitive_and_order_by_is_spelt_either_way() -> None:
    parsed = query.parse(
        "SeLeCt * FrOm customer WHERE Active = true ORDER BY DisplayName desc "
        "startposition 3 maxresults 7",
        KNOWN,
    )

    assert parsed.entity == "Customer"
    assert parsed.order == [("DisplayName", True)]
    assert (parsed.start, parsed.max_results) == (3, 7)


def test_the_parser_reports_where_it_stopped() -> None:
    with pytest.raises(QuickBooksFault) as refused:
        query.parse("select * from Customer where DisplayName = 'x' OR Id = '1'", KNOWN)

    detail = refused.value.errors[0].detail
    assert detail.startswith('QueryParserError: Encountered " "OR" "or "" at line 1, column 48')


def test_a_change_between_two_pages_shows_on_the_next_page(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    _seed(qbo_emulator, 6)  # ten customers
    ordered = "select * from Customer ORDERBY MetaData.LastUpdatedTime, Id"
    first = qbo_api.rows(f"{ordered} STARTPOSITION 1 MAXRESULTS 5")
    qbo_emulator.clock.advance(5)
    moved = first[0]
    qbo_api.post(
        "/customer",
        {"Id": moved["Id"], "SyncToken": moved["SyncToken"], "sparse": True, "Notes": "moved"},
    )

    second = qbo_api.rows(f"{ordered} STARTPOSITION 6 MAXRESULTS 5")

    assert second[-1]["Id"] == moved["Id"]
    assert second[-1]["Notes"] == "moved"
    owing = "select count(*) from Customer where Balance > '0'"
    assert qbo_api.query(owing).json()["QueryResponse"]["totalCount"] == 0
    invoice_line = {
        "Amount": 100,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": "1"},
            "TaxCodeRef": {
                "value": qbo_api.rows("select * from TaxCode where Name = 'GST'")[0]["Id"]
            },
        },
    }
    qbo_api.create("Invoice", {"CustomerRef": {"value": moved["Id"]}, "Line": [invoice_line]})
    assert qbo_api.query(owing).json()["QueryResponse"]["totalCount"] == 1
