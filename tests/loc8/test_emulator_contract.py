"""The emulator against docs/loc8-core-api.yaml over raw HTTP, error paths included.

Every response here passes through the `checked` session, so each test also proves
the answer's shape is one the contract allows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
import yaml
from openapi_spec_validator import validate

from localdev.loc8 import Loc8Emulator
from tests.support.loc8_contract import SPEC_PATH, ContractViolation, checked_session
from tests.support.loc8_emulator import TENANT, TOKEN, add_customers

AUTH = {"Authorization": f"Bearer {TOKEN}"}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def spec_document() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def spec_operations() -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, item in spec_document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


def concrete(path: str, **values: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x1"), path)


def problem(response: requests.Response) -> dict[str, Any]:
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.json()


def test_the_contract_is_a_valid_openapi_document():
    validate(spec_document())


def test_the_emulator_serves_exactly_the_contract(emulator: Loc8Emulator):
    served = {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in emulator.app.url_map.iter_rules()
        if not rule.rule.startswith(("/_emulator", "/static"))
        for method in rule.methods or ()
        if method.lower() in HTTP_METHODS
    }
    assert served == set(spec_operations())


@pytest.mark.parametrize(("method", "path"), spec_operations())
def test_every_operation_wants_the_service_token(server, checked, method: str, path: str):
    url = server.url + concrete(path, tenant_id="demo")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = checked.request(method, url, headers=headers, json={})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert problem(response)["type"] == "urn:loc8:problem:unauthenticated"


@pytest.mark.parametrize(("method", "path"), spec_operations())
def test_every_operation_knows_only_real_tenants(server, checked, method: str, path: str):
    response = checked.request(
        method, server.url + concrete(path, tenant_id="nobody"), headers=AUTH, json={}
    )
    assert response.status_code == 404
    assert "tenant" in problem(response)["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2026-11-25T12:00:00", "updated_since"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_field(server, checked, query: str, field: str):
    response = checked.get(f"{server.url}/v1/tenants/demo/customers?{query}", headers=AUTH)
    assert response.status_code == 400
    assert [error["field"] for error in problem(response)["errors"]] == [field]


def test_a_cursor_only_works_on_its_own_list(server, checked):
    customers = checked.get(f"{server.url}/v1/tenants/demo/customers?limit=1", headers=AUTH)
    cursor = customers.json()["next_cursor"]
    invoices = checked.get(
        f"{server.url}/v1/tenants/demo/invoices", params={"cursor": cursor}, headers=AUTH
    )
    assert invoices.status_code == 400


def test_pages_use_limit_and_report_the_last_one(server, checked, emulator: Loc8Emulator):
    add_customers(emulator, 3)
    url = f"{server.url}/v1/tenants/{TENANT}/customers"
    first = checked.get(url, params={"limit": 2}, headers=AUTH).json()
    second = checked.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=AUTH)
    assert len(first["items"]) == 2
    assert len(second.json()["items"]) == 1
    assert second.json()["next_cursor"] is None


def test_broken_json_is_400_and_unknown_fields_are_422(server, checked):
    url = f"{server.url}/v1/tenants/demo/customers"
    broken = checked.post(url, data="{", headers={**AUTH, "Content-Type": "application/json"})
    assert broken.status_code == 400
    extra = checked.post(url, json={"name": "A", "nickname": "B"}, headers=AUTH)
    assert extra.status_code == 422
    assert problem(extra)["errors"] == [
        {"field": "nickname", "message": "Extra inputs are not permitted"}
    ]


def test_decimals_must_be_strings(server, checked):
    response = checked.post(
        f"{server.url}/v1/tenants/demo/line-items",
        json={"code": "X", "name": "X", "unit_price": 12.5, "tax_type_code": "GST"},
        headers=AUTH,
    )
    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "unit_price"


def test_a_version_conflict_carries_the_current_version(server, checked):
    listed = checked.get(f"{server.url}/v1/tenants/demo/line-items?limit=1", headers=AUTH)
    item = listed.json()["items"][0]
    body = {k: item[k] for k in ("code", "name", "description", "tax_type_code", "account_code")}
    url = f"{server.url}/v1/tenants/demo/line-items/{item['id']}"
    stale = checked.put(url, json={**body, "unit_price": "1.00", "version": 7}, headers=AUTH)
    assert stale.status_code == 409
    assert problem(stale)["current_version"] == item["version"]
    assert problem(stale)["type"] == "urn:loc8:problem:version-conflict"


def test_a_repeated_key_replays_the_first_answer(server, checked, emulator: Loc8Emulator):
    url = f"{server.url}/v1/tenants/{TENANT}/customers"
    headers = {**AUTH, "Idempotency-Key": "key-1"}
    first = checked.post(url, json={"name": "Replay Electrical"}, headers=headers)
    again = checked.post(url, json={"name": "Replay Electrical"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(emulator.snapshot(TENANT)["customers"]) == 1

    other = checked.post(url, json={"name": "Someone Else"}, headers=headers)
    assert other.status_code == 422
    assert problem(other)["type"] == "urn:loc8:problem:idempotency-key-reused"


def test_a_stored_answer_expires_after_a_day(server, checked, emulator: Loc8Emulator):
    url = f"{server.url}/v1/tenants/{TENANT}/customers"
    headers = {**AUTH, "Idempotency-Key": "key-2"}
    checked.post(url, json={"name": "Daily Plumbing"}, headers=headers)
    emulator.clock.advance(24 * 3600 + 1)
    later = checked.post(url, json={"name": "Daily Plumbing"}, headers=headers)
    assert "Idempotent-Replayed" not in later.headers
    assert len(emulator.snapshot(TENANT)["customers"]) == 2


def test_a_payment_is_201_first_then_200(server, checked, emulator: Loc8Emulator):
    invoice = next(i for i in emulator.snapshot("demo")["invoices"] if i["status"] == "issued")
    url = f"{server.url}/v1/tenants/demo/invoices/{invoice['id']}/payments"
    body = {"app": "xero", "external_id": "p-1", "amount": "10.00", "paid_on": "2026-11-25"}
    assert checked.post(url, json=body, headers=AUTH).status_code == 201
    assert checked.post(url, json=body, headers=AUTH).status_code == 200


def test_payments_and_refs_on_a_voided_invoice(server, checked, emulator: Loc8Emulator):
    invoice = next(i for i in emulator.snapshot("demo")["invoices"] if i["status"] == "draft")
    base = f"{server.url}/v1/tenants/demo/invoices/{invoice['id']}"
    voided = checked.put(
        f"{base}/status", json={"status": "voided", "version": invoice["version"]}, headers=AUTH
    )
    assert voided.json()["status"] == "voided"
    payment = {"app": "xero", "external_id": "p-2", "amount": "1.00", "paid_on": "2026-11-25"}
    refused = checked.post(f"{base}/payments", json=payment, headers=AUTH)
    assert refused.status_code == 409
    assert problem(refused)["type"] == "urn:loc8:problem:invalid-status"
    bad_app = checked.put(f"{base}/external-refs/X", json={"external_id": "1"}, headers=AUTH)
    assert bad_app.status_code == 422


def test_writes_are_stamped_by_the_emulator_clock(server, checked, emulator: Loc8Emulator):
    emulator.clock.advance(3600)
    created = checked.post(
        f"{server.url}/v1/tenants/{TENANT}/customers", json={"name": "Clockwork"}, headers=AUTH
    )
    assert created.json()["updated_at"] == "2026-11-25T13:00:00.000000Z"


def test_injected_answers_follow_the_contract_too(server, checked, emulator: Loc8Emulator):
    url = f"{server.url}/v1/tenants/demo/tax-types"
    emulator.faults.add("GET", url.removeprefix(server.url), status=503)
    assert checked.get(url, headers=AUTH).status_code == 503
    emulator.faults.add("GET", url.removeprefix(server.url), status=500, body="upstream down")
    assert checked.get(url, headers=AUTH).text == "upstream down"


def test_the_checker_fails_on_what_the_contract_forbids(server, emulator: Loc8Emulator):
    emulator.faults.add(
        "GET", "/v1/tenants/demo/tax-types", status=503, body={"error": "not a problem"}
    )
    with checked_session() as session, pytest.raises(ContractViolation, match="503"):
        session.get(f"{server.url}/v1/tenants/demo/tax-types", headers=AUTH)


def test_unknown_paths_are_problems_too(server):
    response = requests.get(f"{server.url}/v1/nothing-here", headers=AUTH, timeout=5)
    assert response.status_code == 404
    assert json.loads(response.text)["type"] == "urn:loc8:problem:not-found"
