"""Reading a company file: the headers every call needs, OData $filter/$orderby/$top/
$skip with NextPageLink to the end, and ETags that make a quiet read a 304."""

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


def _error(answer: requests.Response) -> dict[str, Any]:
    body = answer.json()
    assert body["Information"] == (
        "Warning, error messages have not been finalised in this release and may change"
    )
    [error] = body["Errors"]
    return error


def test_every_call_needs_the_api_key_version_and_token(myob: MyobFlow, session: Session) -> None:
    no_key = myob.call(session, "GET", "Contact/Customer", headers={"x-myobapi-key": ""})
    wrong_key = myob.call(session, "GET", "Contact/Customer", headers={"x-myobapi-key": "other"})
    no_version = myob.call(session, "GET", "Contact/Customer", headers={"x-myobapi-version": ""})
    old_version = myob.call(session, "GET", "Contact/Customer", headers={"x-myobapi-version": "v1"})
    no_token = myob.call(session, "GET", "Contact/Customer", headers={"Authorization": ""})
    bad_token = myob.call("not-a-token", "GET", "Contact/Customer")

    for answer in (no_key, wrong_key):
        assert answer.status_code == 403
        assert _error(answer)["Message"] == "API key is missing or inactive"
    for answer in (no_version, old_version):
        assert answer.status_code == 400
        assert _error(answer)["AdditionalDetails"] == "Header: x-myobapi-version"
    for answer in (no_token, bad_token):
        assert answer.status_code == 401
        assert _error(answer)["Name"] == "OAuthTokenIsInvalid"


def test_the_business_itself_is_described_at_its_root(myob: MyobFlow, session: Session) -> None:
    answer = myob.call(session, "GET", "/accountright/" + DEMO_COMPANY_FILE_ID + "/")

    company_file = answer.json()["CompanyFile"]
    assert company_file["Id"] == DEMO_COMPANY_FILE_ID
    assert company_file["Name"] == "Loc8 Demo Plumbing"
    assert company_file["Country"] == "AU"


def test_the_demo_file_has_gst_codes_income_and_bank_accounts(
    myob: MyobFlow, session: Session
) -> None:
    codes = myob.call(session, "GET", "GeneralLedger/TaxCode").json()["Items"]
    banks = myob.call(
        session, "GET", "GeneralLedger/Account", params={"$filter": "Type eq 'Bank'"}
    ).json()["Items"]
    income = myob.call(
        session,
        "GET",
        "GeneralLedger/Account",
        params={"$filter": "Classification eq 'Income' and IsHeader eq false"},
    ).json()["Items"]

    rates = {code["Code"]: code["Rate"] for code in codes}
    assert rates["GST"] == 10
    assert rates["FRE"] == 0
    assert rates["N-T"] == 0
    assert {account["DisplayID"] for account in banks} >= {"1-1110", "1-1180"}
    assert {account["DisplayID"] for account in income} == {"4-1000", "4-2000", "4-3000"}


def test_a_list_pages_by_top_and_skip_to_the_end(myob: MyobFlow, session: Session) -> None:
    myob.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 997)  # 1,000 with the demo's three
    seen: list[str] = []
    url: str | None = f"/accountright/{DEMO_COMPANY_FILE_ID}/Contact/Customer?$top=400"
    pages = 0
    while url:
        page = myob.call(session, "GET", url.removeprefix(myob.url)).json()
        assert page["Count"] == 1000
        seen += [customer["UID"] for customer in page["Items"]]
        url = page["NextPageLink"]
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 1000


def test_the_default_page_is_400_and_the_largest_1000(myob: MyobFlow, session: Session) -> None:
    myob.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 1200)

    default = myob.call(session, "GET", "Contact/Customer").json()
    largest = myob.call(session, "GET", "Contact/Customer", params={"$top": "1000"}).json()
    too_many = myob.call(session, "GET", "Contact/Customer", params={"$top": "1001"})

    assert len(default["Items"]) == 400
    assert default["NextPageLink"].endswith("$top=400&$skip=400")
    assert len(largest["Items"]) == 1000
    assert too_many.status_code == 400
    assert _error(too_many)["AdditionalDetails"] == "$top"


def test_filters_compare_typed_values(myob: MyobFlow, session: Session) -> None:
    def display_ids(expression: str) -> list[str]:
        answer = myob.call(
            session,
            "GET",
            "Contact/Customer",
            params={"$filter": expression, "$orderby": "DisplayID"},
        )
        assert answer.status_code == 200, answer.text
        return [customer["DisplayID"] for customer in answer.json()["Items"]]

    assert display_ids("IsIndividual eq true") == ["CUS000003"]
    assert display_ids("(IsIndividual eq false) and DisplayID ne 'CUS000001'") == ["CUS000002"]
    assert display_ids("substringof('Cafe', CompanyName) or LastName eq 'Shah'") == [
        "CUS000002",
        "CUS000003",
    ]
    assert display_ids("endswith(DisplayID, '02')") == ["CUS000002"]
    assert display_ids("CompanyName eq null") == ["CUS000003"]
    assert display_ids("SellingDetails/TaxCode/Code eq 'GST' and DisplayID le 'CUS000001'") == [
        "CUS000001"
    ]


def test_last_modified_is_filtered_with_datetime_literals(myob: MyobFlow, session: Session) -> None:
    myob.emulator.clock.advance(60)
    created = myob.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 2)
    since = "datetime'2026-12-01T09:00:30'"

    changed = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": f"LastModified gt {since}"}
    ).json()
    as_string = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": "LastModified gt '2026-12-01'"}
    )

    assert created == 5
    assert changed["Count"] == 2
    assert as_string.status_code == 400


@pytest.mark.parametrize(
    "expression",
    [
        "Nickname eq 'x'",  # no such property
        "IsIndividual eq 'true'",  # a boolean compared with a string
        "DisplayID eq 5",  # a string compared with a number
        "tolower(DisplayID) eq 'cus000001'",  # a function MYOB does not document
        "not (IsIndividual eq true)",  # OData v3, but shown nowhere for MYOB
        "DisplayID eq 'CUS000001' xor IsActive eq true",
        "DisplayID eq",
    ],
)
def test_a_filter_the_emulator_cannot_show_myob_supports_is_refused(
    myob: MyobFlow, session: Session, expression: str
) -> None:
    answer = myob.call(session, "GET", "Contact/Customer", params={"$filter": expression})

    assert answer.status_code == 400
    assert _error(answer)["Name"] == "InvalidQuery"


def test_orderby_sorts_on_one_or_more_fields(myob: MyobFlow, session: Session) -> None:
    answer = myob.call(
        session,
        "GET",
        "Inventory/Item",
        params={"$orderby": "IsSold desc, Number desc"},
    ).json()

    assert [item["Number"] for item in answer["Items"]] == ["SVC-HOUR", "SVC-CALL", "PART-TAP"]


def test_a_quiet_read_costs_a_304(myob: MyobFlow, session: Session) -> None:
    first = myob.call(session, "GET", "Contact/Customer")
    etag = first.headers["ETag"]
    one_uid = first.json()["Items"][0]["UID"]
    single = myob.call(session, "GET", f"Contact/Customer/{one_uid}")

    quiet = myob.call(session, "GET", "Contact/Customer", headers={"If-None-Match": etag})
    quiet_single = myob.call(
        session,
        "GET",
        f"Contact/Customer/{one_uid}",
        headers={"If-None-Match": single.headers["ETag"]},
    )
    myob.emulator.seed_customers(DEMO_COMPANY_FILE_ID, 1)
    changed = myob.call(session, "GET", "Contact/Customer", headers={"If-None-Match": etag})

    assert (quiet.status_code, quiet.content) == (304, b"")
    assert quiet.headers["ETag"] == etag
    assert quiet_single.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_records_carry_uid_row_version_last_modified_and_uri(
    myob: MyobFlow, session: Session
) -> None:
    [customer] = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": "DisplayID eq 'CUS000001'"}
    ).json()["Items"]

    assert customer["URI"] == (
        f"{myob.url}/accountright/{DEMO_COMPANY_FILE_ID}/Contact/Customer/{customer['UID']}"
    )
    assert int(customer["RowVersion"]) != 0
    assert customer["LastModified"] == "2026-12-01T09:00:00.000"
    assert customer["SellingDetails"]["TaxCode"]["Code"] == "GST"


def test_an_unknown_record_is_a_404_in_myobs_body(myob: MyobFlow, session: Session) -> None:
    answer = myob.call(session, "GET", "Contact/Customer/00000000-0000-0000-0000-000000000000")

    assert answer.status_code == 404
    assert _error(answer)["Name"] == "NotFound"


def test_the_invoice_parent_lists_both_layouts(myob: MyobFlow, session: Session) -> None:
    answer = myob.call(session, "GET", "Sale/Invoice", params={"$filter": "InvoiceType eq 'Item'"})

    assert answer.status_code == 200
    assert answer.json()["Count"] == 0


def test_string_comparisons_are_exact(myob: MyobFlow, session: Session) -> None:
    exact = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": "DisplayID eq 'CUS000001'"}
    ).json()
    other_case = myob.call(
        session, "GET", "Contact/Customer", params={"$filter": "DisplayID eq 'cus000001'"}
    ).json()

    assert exact["Count"] == 1
    assert other_case["Count"] == 0
