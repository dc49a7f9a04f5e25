"""Every error a client can see is problem+json, including the ones Chalice and the gateway
answer on their own: an unsupported media type, an undeclared method, an unknown path.

These answers are not in docs/openapi.yaml (no operation declares them), so they are read
through a plain chalice.test client rather than the contract-checking one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from chalice.test import Client

from tests.support.auth import bearer
from tests.support.problems import assert_problem
from tests.support.settings import WEB_ORIGIN


@pytest.fixture
def raw(container) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="local") as client:
        yield client


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"app": "xero"}'),
        ("application/x-www-form-urlencoded", "app=xero"),
        ("application/problem+json", '{"app": "xero"}'),
    ],
)
def test_a_body_that_is_not_json_is_a_415_problem_naming_json(raw, content_type, body):
    response = raw.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": content_type, "Origin": WEB_ORIGIN},
        body=body,
    )
    problem = assert_problem(response, 415)
    assert "application/json" in problem["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN


def test_an_undeclared_method_is_a_405_problem_with_allow(raw):
    response = raw.http.request("PATCH", "/v1/integrations", headers=bearer())
    problem = assert_problem(response, 405)
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert "PATCH" in problem["detail"]


@pytest.mark.parametrize(
    "headers",
    [{}, bearer(), {"Origin": WEB_ORIGIN}],
    ids=["anonymous", "with-token", "from-the-web-client"],
)
def test_an_unknown_path_is_a_404_problem(raw, headers):
    response = raw.http.get("/v1/integrations/int_1/nothing-here", headers=headers)
    assert_problem(response, 404)
    assert "Missing Authentication Token" not in json.dumps(response.json_body)
    assert response.headers["Vary"] == "Origin"
    if "Origin" in headers:
        assert response.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN


def test_an_unknown_path_never_allows_another_origin(raw):
    response = raw.http.get("/v2/anything", headers={"Origin": "https://evil.test"})
    assert_problem(response, 404)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_problems_the_app_answers_keep_their_own_headers(raw):
    response = raw.http.get("/v1/integrations")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
