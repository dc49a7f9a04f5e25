"""Disconnecting: revoke at the app, delete the secret, keep the record, free the slot."""

from __future__ import annotations

import boto3

from chalicelib.domain.errors import AccessRevoked
from tests.support.auth import bearer
from tests.support.consent import add_xero, connect
from tests.support.fakes import unavailable


def secret_names() -> list[str]:
    return [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"]]


def test_disconnect_revokes_deletes_the_secret_and_marks_disconnected(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    assert len(secret_names()) == 1

    response = api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())

    assert response.status_code == 204
    assert fake_app.disconnected == ["org-1"]
    assert len(fake_app.revoked) == 1
    assert fake_app.live_refresh_tokens == set()
    assert secret_names() == []
    assert api.http.get("/v1/integrations", headers=bearer()).json_body == {"integrations": []}
    kept = api.http.get("/v1/integrations?include=disconnected", headers=bearer()).json_body
    assert [(i["id"], i["status"]) for i in kept["integrations"]] == [
        (integration_id, "DISCONNECTED")
    ]


def test_after_disconnect_the_app_can_be_added_again(api, fake_app):
    first = connect(api, fake_app)["added"]["id"]
    api.http.delete(f"/v1/integrations/{first}", headers=bearer())
    second = add_xero(api)
    assert second["id"] != first
    assert second["status"] == "PENDING_AUTHORISATION"


def test_disconnect_refreshes_an_expired_access_token_first(api, fake_app, clock):
    integration_id = connect(api, fake_app)["added"]["id"]
    clock.advance(minutes=45)
    assert (
        api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code == 204
    )
    assert fake_app.calls.count("refresh") == 1
    assert fake_app.disconnected == ["org-1"]


def test_access_already_revoked_at_the_app_still_disconnects(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    fake_app.failures["disconnect_organisation"] = AccessRevoked("gone")
    assert (
        api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code == 204
    )
    assert secret_names() == []


def test_an_unreachable_app_changes_nothing_and_the_retry_works(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    fake_app.failures["revoke"] = unavailable()
    failed = api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())
    assert failed.status_code == 502
    assert failed.headers["Content-Type"] == "application/problem+json"
    assert len(secret_names()) == 1
    still = api.http.get(f"/v1/integrations/{integration_id}", headers=bearer()).json_body
    assert still["status"] == "AUTHORISED"

    assert (
        api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code == 204
    )
    assert secret_names() == []


def test_disconnecting_a_pending_integration_needs_no_app_call(api, fake_app):
    added = add_xero(api)
    assert api.http.delete(f"/v1/integrations/{added['id']}", headers=bearer()).status_code == 204
    assert fake_app.calls == []


def test_disconnect_twice_is_harmless(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    assert (
        api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code == 204
    )
    assert (
        api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code == 204
    )


def test_a_disconnected_integration_cannot_be_reauthorised(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    api.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())
    response = api.http.post(f"/v1/integrations/{integration_id}/authorize", headers=bearer())
    assert response.status_code == 409
