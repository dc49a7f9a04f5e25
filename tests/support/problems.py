"""What every refusal the API gives looks like: an RFC 9457 problem."""

from __future__ import annotations


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json_body
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body
