"""What every Accounting request passes: the realm's token, minorversion, the throttles,
Accept: application/json, and JSON bodies; other paths are not emulated."""

from __future__ import annotations

import pytest

from localdev.emukit import RunningServer
from localdev.quickbooks import QuickBooksEmulator
from tests.support.quickbooks_api import Api, fault_of, qbo_api
from tests.support.quickbooks_emulator_fixtures import connect, qbo_emulator, qbo_server

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below


@pytest.mark.parametrize("minor_version", [None, "75", "40"])
def test_minorversion_75_or_older_or_none_is_read_as_75(
    qbo_api: Api, minor_version: str | None
) -> None:
    answer = qbo_api.get("/customer/1", minor_version=minor_version)

    assert answer.status_code == 200


@pytest.mark.parametrize("minor_version", ["76", "abc", "", "0"])
def test_a_minorversion_the_api_does_not_have_is_refused(qbo_api: Api, minor_version: str) -> None:
    answer = qbo_api.get("/customer/1", minor_version=minor_version)

    assert answer.status_code == 400
    assert fault_of(answer)["element"] == "minorversion"


def test_without_accept_json_the_emulator_refuses_what_intuit_would_answer_in_xml(
    qbo_api: Api,
) -> None:
    bare = qbo_api.get("/customer/1", headers={"Authorization": qbo_api.headers()["Authorization"]})
    xml = qbo_api.get("/customer/1", headers=qbo_api.headers(Accept="application/xml"))

    assert bare.status_code == xml.status_code == 406


def test_a_write_must_be_json(qbo_api: Api) -> None:
    answer = qbo_api.call(
        "POST",
        "/customer",
        data="<Customer><DisplayName>X</DisplayName></Customer>",
        headers=qbo_api.headers(**{"Content-Type": "application/xml"}),
    )

    assert answer.status_code == 400


def test_a_company_the_token_was_not_granted_for_is_forbidden(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    other = qbo_emulator.add_company("Not Connected Pty Ltd", "AU")
    qbo_api.realm_id = other.realm_id

    answer = qbo_api.get("/customer/1")

    assert answer.status_code == 403


def test_paths_the_emulator_does_not_serve_answer_501_after_the_gate(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    answer = qbo_api.get("/vendor/1")
    unauthenticated = qbo_api.get("/vendor/1", headers={"Accept": "application/json"})

    assert answer.status_code == 501
    assert unauthenticated.status_code == 401
    assert qbo_emulator.calls["GET /v3/company/{realm_id}/{rest}"] == 2


def test_company_info_is_read_by_the_realm_id(qbo_api: Api) -> None:
    info = qbo_api.get(f"/companyinfo/{qbo_api.realm_id}").json()["CompanyInfo"]

    assert (info["CompanyName"], info["Country"]) == ("Loc8 Demo Plumbing Pty Ltd", "AU")
    assert fault_of(qbo_api.get("/companyinfo/1"))["code"] == "610"


def test_every_answer_carries_a_transaction_id(qbo_api: Api) -> None:
    assert qbo_api.get("/customer/1").headers["intuit_tid"]
    assert qbo_api.get("/customer/999").headers["intuit_tid"]


def test_a_company_with_empty_books_still_answers_its_company_info(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    empty = qbo_emulator.add_company("Empty Books Pty Ltd", "AU", chart=False)
    api = Api(qbo_server.url, connect(qbo_emulator, qbo_server.url, realm_id=empty.realm_id))
    api.realm_id = empty.realm_id

    info = api.get(f"/companyinfo/{empty.realm_id}")

    assert info.json()["CompanyInfo"]["CompanyName"] == "Empty Books Pty Ltd"
    assert api.query("select count(*) from Account").json()["QueryResponse"] == {"totalCount": 0}
