"""secure.myob.com as the emulator plays it: the consent page with its company-file
choice, the redirect with businessId, single-use codes, 20-minute access tokens,
rotating refresh tokens and consents that lapse."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from localdev.myob import DEMO_COMPANY_FILE_ID
from tests.support.myob_emulator_fixtures import REDIRECT_URI, MyobFlow, served_myob

OTHER_FILE = "0f3c2a4b-1d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def myob() -> Iterator[MyobFlow]:
    with served_myob() as flow:
        yield flow


def _redirect_query(location: str) -> dict[str, list[str]]:
    assert location.startswith(REDIRECT_URI)
    return parse_qs(urlsplit(location).query)


def test_the_consent_page_lets_the_user_choose_one_business(myob: MyobFlow) -> None:
    myob.emulator.add_company_file("Second Site Plumbing", OTHER_FILE)

    page = myob.http.get(myob.authorize_url(), timeout=5)

    assert page.status_code == 200
    assert 'type="radio" name="business_id"' in page.text
    assert "Loc8 Demo Plumbing" in page.text
    assert "Second Site Plumbing" in page.text
    assert "Allow access" in page.text


def test_the_redirect_names_the_chosen_business_when_consent_is_prompted(myob: MyobFlow) -> None:
    myob.emulator.add_company_file("Second Site Plumbing", OTHER_FILE)

    query = myob.consent(business_id=OTHER_FILE)
    unprompted = myob.consent(business_id=OTHER_FILE, prompt=False)

    assert query["businessId"] == [OTHER_FILE]
    assert query["businessName"] == ["Second Site Plumbing"]
    assert query["state"] == ["state-1"]
    assert "businessId" not in unprompted


def test_a_consent_reaches_only_the_chosen_business(myob: MyobFlow) -> None:
    myob.emulator.add_company_file("Second Site Plumbing", OTHER_FILE)
    session = myob.login(business_id=OTHER_FILE)

    own = myob.call(session, "GET", f"/accountright/{OTHER_FILE}/Contact/Customer")
    other = myob.call(session, "GET", "Contact/Customer")

    assert own.status_code == 200
    assert other.status_code == 403
    assert other.json()["Errors"][0]["Name"] == "AccessDenied"


def test_cancelling_redirects_with_access_denied(myob: MyobFlow) -> None:
    location = myob.emulator.consent(myob.authorize_url(), allow=False)

    assert _redirect_query(location) == {"error": ["access_denied"], "state": ["state-1"]}


def test_an_unknown_client_or_redirect_uri_is_shown_never_redirected(myob: MyobFlow) -> None:
    wrong_client = myob.authorize_url().replace("client_id=test-myob-api-key", "client_id=other")
    wrong_redirect = myob.authorize_url().replace("loc8.test", "attacker.test")

    for url in (wrong_client, wrong_redirect):
        answer = myob.http.get(url, allow_redirects=False, timeout=5)
        assert answer.status_code == 400
        assert "Location" not in answer.headers


def test_unknown_or_mixed_scopes_are_refused(myob: MyobFlow) -> None:
    for scope in ("sme-customer", "CompanyFile sme-sales", ""):
        answer = myob.http.post(
            myob.authorize_url(scope), data={"decision": "allow"}, timeout=5, allow_redirects=False
        )
        query = _redirect_query(answer.headers["Location"])
        assert query["error"] == ["invalid_scope" if scope else "invalid_request"]


def test_the_token_answer_has_myobs_shape(myob: MyobFlow) -> None:
    code = myob.consent()["code"][0]

    answer = myob.exchange(code)

    assert answer.status_code == 200
    tokens = answer.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == "1200"
    assert tokens["scope"].split() == [
        "sme-company-file",
        "sme-contacts-customer",
        "sme-inventory",
        "sme-general-ledger",
        "sme-sales",
    ]
    assert set(tokens["user"]) == {"uid", "username"}
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_code_is_single_use_short_lived_and_bound_to_its_redirect_uri(myob: MyobFlow) -> None:
    used = myob.consent()["code"][0]
    assert myob.exchange(used).status_code == 200
    late = myob.consent()["code"][0]
    elsewhere = myob.consent()["code"][0]

    replay = myob.exchange(used)
    wrong_redirect = myob.token(
        grant_type="authorization_code", code=elsewhere, redirect_uri=f"{REDIRECT_URI}/"
    )
    myob.emulator.clock.advance(120)
    expired = myob.exchange(late)

    for answer in (replay, wrong_redirect, expired):
        assert answer.status_code == 400
        assert answer.json() == {"error": "invalid_grant"}


def test_a_wrong_secret_is_invalid_client(myob: MyobFlow) -> None:
    code = myob.consent()["code"][0]

    answer = myob.token(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_secret="wrong",
    )

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}


def test_refresh_tokens_rotate_and_a_used_one_is_refused(myob: MyobFlow) -> None:
    session = myob.login()
    first = session.tokens["refresh_token"]

    rotated = myob.refresh(first)
    reused = myob.refresh(first)

    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != first
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant"}
    assert myob.refresh(rotated.json()["refresh_token"]).status_code == 200


def test_an_access_token_lasts_twenty_minutes(myob: MyobFlow) -> None:
    session = myob.login()
    myob.emulator.clock.advance(1199)
    assert myob.call(session, "GET", "GeneralLedger/TaxCode").status_code == 200

    myob.emulator.clock.advance(1)
    expired = myob.call(session, "GET", "GeneralLedger/TaxCode")

    assert expired.status_code == 401
    assert expired.json()["Errors"][0] == {
        "Name": "OAuthTokenIsInvalid",
        "Message": "The supplied OAuth token (Bearer) is not valid",
        "AdditionalDetails": "Header: Authorization",
        "ErrorCode": None,
        "Severity": "Error",
        "LearnMore": expired.json()["Errors"][0]["LearnMore"],
    }


def test_a_lapsed_consent_fails_calls_and_refreshes(myob: MyobFlow) -> None:
    session = myob.login()

    lapsed = myob.http.post(
        f"{myob.url}/_emulator/company-files/{DEMO_COMPANY_FILE_ID}/lapse-consent", timeout=5
    )
    call = myob.call(session, "GET", "Contact/Customer")
    refresh = myob.refresh(session.tokens["refresh_token"])

    assert lapsed.json() == {"lapsed_grants": 1}
    assert call.status_code == 403
    assert call.json()["Errors"][0]["AdditionalDetails"] == (
        "The consent given for this business has lapsed"
    )
    assert refresh.json() == {"error": "invalid_grant"}
    # Consenting again is the way back.
    assert myob.call(myob.login(), "GET", "Contact/Customer").status_code == 200


def test_consent_is_renewed_annually(myob: MyobFlow) -> None:
    session = myob.login()
    myob.emulator.clock.advance(365 * 86_400)

    assert myob.refresh(session.tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_the_legacy_file_list_serves_companyfile_consents_only(myob: MyobFlow) -> None:
    myob.emulator.add_company_file("Second Site Plumbing", OTHER_FILE)
    legacy = myob.login("CompanyFile la.global")
    granular = myob.login()

    listed = myob.call(legacy, "GET", "/accountright/").json()
    none = myob.call(granular, "GET", "/accountright/").json()

    assert sorted(f["Id"] for f in listed) == sorted([DEMO_COMPANY_FILE_ID, OTHER_FILE])
    assert listed[0]["Uri"] == f"{myob.url}/accountright/{listed[0]['Id']}"
    assert none == []
    assert legacy.business_id is None
    assert myob.call(legacy, "GET", f"/accountright/{OTHER_FILE}/Contact/Customer").ok


def test_a_call_needs_the_scope_of_its_resource(myob: MyobFlow) -> None:
    session = myob.login("sme-contacts-customer")

    assert myob.call(session, "GET", "Contact/Customer").status_code == 200
    refused = myob.call(session, "GET", "Sale/Invoice/Item")
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["AdditionalDetails"] == "Scope: sme-sales"
