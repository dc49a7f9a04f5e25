"""The connect flow through the real Chalice routing, against a fake app and moto."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import boto3

from chalicelib.domain.integration import Organisation
from tests.conftest import RETURN_URL, bearer
from tests.fakes import unavailable


def add_xero(api, tenant: str = "tenant-a") -> dict:
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    )
    assert response.status_code == 201, response.body
    return response.json_body


def callback(api, query: dict[str, str]):
    from urllib.parse import urlencode

    return api.http.get(f"/v1/oauth/xero/callback?{urlencode(query)}")


def redirect_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.body
    location = response.headers["Location"]
    assert location.startswith(RETURN_URL)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def connect(api, fake_app, tenant: str = "tenant-a") -> dict:
    added = add_xero(api, tenant)
    code, state = fake_app.approve(added["authorize_url"])
    params = redirect_params(callback(api, {"code": code, "state": state}))
    return {"added": added, "params": params}


def test_a_new_tenant_has_no_integrations(api):
    response = api.http.get("/v1/integrations", headers=bearer("tenant-new", roles=()))
    assert response.status_code == 200
    assert response.json_body == {"integrations": []}


def test_adding_xero_returns_a_pending_integration_with_a_consent_url(api):
    added = add_xero(api)
    assert added["status"] == "PENDING_AUTHORISATION"
    assert added["app"] == "xero"
    assert added["organisation"] is None
    query = parse_qs(urlsplit(added["authorize_url"]).query)
    assert query["state"][0]
    assert query["code_challenge"][0]


def test_consent_connects_the_single_granted_organisation(api, fake_app):
    flow = connect(api, fake_app)
    assert flow["params"] == {"integration_id": flow["added"]["id"], "result": "connected"}
    listed = api.http.get("/v1/integrations", headers=bearer(roles=())).json_body["integrations"]
    assert [(i["status"], i["organisation"]) for i in listed] == [
        ("AUTHORISED", {"id": "org-1", "name": "Demo Plumbing Ltd"})
    ]


def test_the_token_set_is_stored_in_secrets_manager_not_dynamodb(api, fake_app, settings):
    flow = connect(api, fake_app)
    secret_name = f"{settings.token_secret_prefix}/tenant-a/{flow['added']['id']}"
    stored = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"]
    )
    assert stored["refresh_token"] in fake_app.live_refresh_tokens
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    assert stored["access_token"] not in json.dumps(items)
    assert stored["refresh_token"] not in json.dumps(items)


def test_several_organisations_wait_for_a_choice(api, fake_app):
    fake_app.organisations = [
        Organisation(id="org-1", name="Demo Plumbing Ltd", connection_id="c1"),
        Organisation(id="org-2", name="Demo Electrical Pty", connection_id="c2"),
    ]
    flow = connect(api, fake_app)
    assert flow["params"]["result"] == "choose_organisation"
    integration_id = flow["added"]["id"]
    pending = api.http.get(f"/v1/integrations/{integration_id}", headers=bearer()).json_body
    assert pending["status"] == "CHOOSE_ORGANISATION"
    assert [org["name"] for org in pending["organisations"]] == [
        "Demo Plumbing Ltd",
        "Demo Electrical Pty",
    ]

    chosen = api.http.put(
        f"/v1/integrations/{integration_id}/organisation",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"organisation_id": "org-2"}),
    )
    assert chosen.status_code == 200
    assert chosen.json_body["status"] == "AUTHORISED"
    assert chosen.json_body["organisation"] == {"id": "org-2", "name": "Demo Electrical Pty"}
    assert "organisations" not in chosen.json_body


def test_choosing_an_organisation_that_was_not_granted_is_refused(api, fake_app):
    fake_app.organisations = [
        Organisation(id="org-1", name="A"),
        Organisation(id="org-2", name="B"),
    ]
    integration_id = connect(api, fake_app)["added"]["id"]
    response = api.http.put(
        f"/v1/integrations/{integration_id}/organisation",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"organisation_id": "org-9"}),
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "org-9" in response.json_body["detail"]


def test_choosing_an_organisation_when_not_asked_is_a_conflict(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    response = api.http.put(
        f"/v1/integrations/{integration_id}/organisation",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"organisation_id": "org-1"}),
    )
    assert response.status_code == 409


def test_denied_consent_leaves_the_integration_retryable(api, fake_app):
    added = add_xero(api)
    state = parse_qs(urlsplit(added["authorize_url"]).query)["state"][0]
    params = redirect_params(callback(api, {"error": "access_denied", "state": state}))
    assert params == {"integration_id": added["id"], "result": "denied"}
    integration = api.http.get(f"/v1/integrations/{added['id']}", headers=bearer()).json_body
    assert integration["status"] == "PENDING_AUTHORISATION"

    retry = api.http.post(f"/v1/integrations/{added['id']}/authorize", headers=bearer())
    assert retry.status_code == 200
    code, state = fake_app.approve(retry.json_body["authorize_url"])
    assert redirect_params(callback(api, {"code": code, "state": state}))["result"] == "connected"


def test_a_replayed_state_is_refused_and_changes_nothing(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    assert redirect_params(callback(api, {"code": code, "state": state}))["result"] == "connected"
    replay = callback(api, {"code": code, "state": state})
    assert replay.status_code == 400
    assert replay.headers["Content-Type"] == "application/problem+json"
    assert "already used" in replay.json_body["detail"]
    assert fake_app.calls.count("exchange_code") == 1


def test_a_forged_state_is_refused_before_any_exchange(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    header, payload, signature = state.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}AA"
    response = callback(api, {"code": code, "state": forged})
    assert response.status_code == 400
    assert response.json_body["type"] == "urn:loc8:problem:invalid-oauth-state"
    assert "exchange_code" not in fake_app.calls


def test_an_expired_state_is_refused(api, fake_app, clock):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    clock.advance(minutes=10, seconds=1)
    response = callback(api, {"code": code, "state": state})
    assert response.status_code == 400
    assert "expired" in response.json_body["detail"]
    assert "exchange_code" not in fake_app.calls


def test_a_state_signed_for_another_app_is_refused(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    response = api.http.get(f"/v1/oauth/quickbooks/callback?code={code}&state={state}")
    assert response.status_code == 400


def test_a_callback_without_state_is_refused(api):
    response = callback(api, {"code": "abc"})
    assert response.status_code == 400


def test_token_endpoint_outage_is_a_502_and_the_same_callback_can_be_retried(
    api, fake_app, settings
):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    fake_app.failures["exchange_code"] = unavailable()
    failed = callback(api, {"code": code, "state": state})
    assert failed.status_code == 502
    assert failed.headers["Content-Type"] == "application/problem+json"
    integration = api.http.get(f"/v1/integrations/{added['id']}", headers=bearer()).json_body
    assert integration["status"] == "PENDING_AUTHORISATION"
    secrets = boto3.client("secretsmanager").list_secrets()["SecretList"]
    assert secrets == []

    retried = callback(api, {"code": code, "state": state})
    assert redirect_params(retried)["result"] == "connected"


def test_an_outage_after_the_exchange_revokes_the_unused_tokens(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    fake_app.failures["granted_organisations"] = unavailable()
    assert callback(api, {"code": code, "state": state}).status_code == 502
    assert len(fake_app.revoked) == 1
    assert boto3.client("secretsmanager").list_secrets()["SecretList"] == []
    integration = api.http.get(f"/v1/integrations/{added['id']}", headers=bearer()).json_body
    assert integration["status"] == "PENDING_AUTHORISATION"


def test_no_organisation_granted_redirects_with_an_error(api, fake_app):
    fake_app.organisations = []
    params = connect(api, fake_app)["params"]
    assert params["result"] == "error"
    assert "No organisation" in params["message"]
    assert len(fake_app.revoked) == 1
