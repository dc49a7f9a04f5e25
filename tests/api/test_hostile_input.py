"""Hostile input never reaches a 500: every number, id and body is bounded before it is used.

Each case once answered a 500 with a logged traceback; now each is a 400 (or, for an id
that cannot exist, a 404) problem+json that says what was wrong.
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.support.auth import bearer
from tests.support.consent import add_xero
from tests.support.problems import assert_problem

VIEWER = ("technician",)


@pytest.fixture
def no_traceback(caplog):
    """Fails a test whose request logged an unhandled error."""
    caplog.set_level(logging.ERROR)
    yield
    assert not [r for r in caplog.records if r.exc_info], "a request logged a traceback"


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_deeply_nested_body_is_a_400(api, no_traceback, depth):
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=nested(depth),
    )
    assert "nested" in assert_problem(response, 400)["detail"]


def test_a_deeply_nested_config_is_a_400(api, no_traceback):
    integration_id = add_xero(api)["id"]
    response = api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(), "Content-Type": "application/json"},
        body='{"line_item_accounts": ' + nested(1_000) + "}",
    )
    assert "nested" in assert_problem(response, 400)["detail"]


def test_a_body_nested_within_the_bound_is_read_as_usual(api, no_traceback):
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": {"a": {"b": ["xero"]}}}),
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "if_match",
    ['"' + "9" * 5_000 + '"', "W/" + '"' + "1" * 30 + '"', '"\u0661"', '"-1"'],
    ids=["5000-digits", "30-digits", "arabic-indic-digit", "negative"],
)
def test_an_if_match_that_is_no_version_is_a_400(api, no_traceback, if_match):
    integration_id = add_xero(api)["id"]
    response = api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(), "Content-Type": "application/json", "If-Match": if_match},
        body=json.dumps({"invoice_status": "DRAFT"}),
    )
    assert "If-Match" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    "limit",
    ["\u00b2", "\u2460", "\u0661\u0660", "9" * 5_000, "0", "101", "1e2", " 5", "-1", ""],
    ids=[
        "superscript-two",
        "circled-one",
        "arabic-indic-ten",
        "5000-digits",
        "zero",
        "over-max",
        "exponent",
        "leading-space",
        "negative",
        "empty",
    ],
)
def test_a_limit_that_is_no_page_size_is_a_400_for_any_caller(api, no_traceback, limit):
    # A viewer, and an integration that does not exist: the limit is checked first.
    response = api.http.get(
        f"/v1/integrations/int_00000000000000000000/sync-runs?limit={limit}",
        headers=bearer(roles=VIEWER),
    )
    assert "limit" in assert_problem(response, 400)["detail"]


def test_a_limit_within_bounds_is_accepted(api, no_traceback):
    integration_id = add_xero(api)["id"]
    response = api.http.get(
        f"/v1/integrations/{integration_id}/sync-runs?limit=100", headers=bearer(roles=VIEWER)
    )
    assert response.status_code == 200, response.body


@pytest.mark.parametrize(
    "cursor", ["cnVuXw" + "A" * 5_000, "%00", "x" * 300], ids=["huge", "nul", "long"]
)
def test_a_cursor_that_is_no_cursor_is_a_400(api, no_traceback, cursor):
    integration_id = add_xero(api)["id"]
    response = api.http.get(
        f"/v1/integrations/{integration_id}/sync-runs?cursor={cursor}",
        headers=bearer(roles=VIEWER),
    )
    assert "cursor" in assert_problem(response, 400)["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/integrations/{long}",
        "/v1/integrations/{long}/sync-runs",
        "/v1/integrations/{long}/config",
        "/v1/integrations/int_1/sync-runs/{long}",
    ],
)
def test_an_id_too_long_to_exist_is_a_404(api, no_traceback, path):
    response = api.http.get(path.format(long="int_" + "a" * 5_000), headers=bearer(roles=VIEWER))
    assert_problem(response, 404)
