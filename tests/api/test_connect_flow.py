"""The connect flow through the real Chalice routing, against a fake app and moto."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import boto3
import jwt

from chalicelib.domain.integration import Organisation
from chalicelib.domain.oauth_state import STATE_AUDIENCE
from tests.support.auth import bearer
from tests.support.consent import add_xero, callback, connect, finish, granted, redirect_params
from tests.support.fakes import unavailable
from tests.support.settings import STATE_SECRET, TABLE


def stored_secrets() -> list:
    return boto3.client("secretsmanager").list_secrets()["SecretList"]


def scan_table() -> list:
    return boto3.client("dynamodb").scan(TableName=TABLE)["Items"]


def signed_state(**claims) -> str:
    """A state signed with the service's key, with whatever claims the test wants."""
    return jwt.encode({"aud": STATE_AUDIENCE, **claims}, STATE_SECRET, algorithm="HS256")


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
    assert set(flow["params"]) == {"integration_id", "result", "handle"}
    assert flow["params"]["integration_id"] == flow["added"]["id"]
    assert flow["integration"]["status"] == "AUTHORISED"
    listed = api.http.get("/v1/integrations", headers=bearer(roles=())).json_body["integrations"]
    assert [(i["status"], i["organisation"]) for i in listed] == [
        ("AUTHORISED", {"id": "org-1", "name": "Demo Plumbing Ltd"})
    ]


def test_the_callback_alone_connects_nothing(api, fake_app):
    flow = granted(api, fake_app)
    assert flow["params"]["result"] == "granted"
    integration = api.http.get(f"/v1/integrations/{flow['added']['id']}", headers=bearer())
    assert integration.json_body["status"] == "PENDING_AUTHORISATION"
    assert "exchange_code" not in fake_app.calls
    assert stored_secrets() == []
    assert flow["params"]["handle"] not in json.dumps(scan_table())


def test_the_authorisation_code_is_not_readable_in_the_table(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    redirect_params(callback(api, {"code": code, "state": state}))
    assert code not in json.dumps(scan_table())


def test_another_admin_of_the_same_tenant_cannot_finish_the_consent(api, fake_app):
    flow = granted(api, fake_app)
    refused = finish(api, flow["params"], user="someone-else")
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "started connecting" in refused.json_body["detail"]
    integration = api.http.get(f"/v1/integrations/{flow['added']['id']}", headers=bearer())
    assert integration.json_body["status"] == "PENDING_AUTHORISATION"
    assert "exchange_code" not in fake_app.calls
    assert stored_secrets() == []
    # The grant was discarded: not even its initiator can use the handle now.
    assert finish(api, flow["params"]).status_code == 400


def test_a_user_of_another_tenant_cannot_finish_the_consent(api, fake_app):
    flow = granted(api, fake_app)
    refused = finish(api, flow["params"], tenant="tenant-b")
    assert refused.status_code == 403
    integration = api.http.get(f"/v1/integrations/{flow['added']['id']}", headers=bearer())
    assert integration.json_body["status"] == "PENDING_AUTHORISATION"
    assert api.http.get("/v1/integrations", headers=bearer("tenant-b")).json_body == {
        "integrations": []
    }
    assert "exchange_code" not in fake_app.calls
    assert stored_secrets() == []


def test_a_victim_lured_to_an_attackers_consent_url_connects_nothing(api, fake_app):
    """The attacker (tenant-b) adds Xero and sends the consent URL to a victim, who
    allows access to their organisation and comes back signed in to their own Loc8."""
    attacker = add_xero(api, "tenant-b", user="attacker")
    code, state = fake_app.approve(attacker["authorize_url"])
    params = redirect_params(callback(api, {"code": code, "state": state}))
    assert finish(api, params, tenant="tenant-a", user="victim").status_code == 403
    assert finish(api, params, tenant="tenant-b", user="attacker").status_code == 400
    pending = api.http.get(f"/v1/integrations/{attacker['id']}", headers=bearer("tenant-b"))
    assert pending.json_body["status"] == "PENDING_AUTHORISATION"
    assert stored_secrets() == []


def test_a_handle_is_bound_to_its_integration(api, fake_app):
    flow = granted(api, fake_app)
    other = {**flow["params"], "integration_id": "int_00000000000000000000"}
    assert finish(api, other).status_code == 403
    assert stored_secrets() == []


def test_a_consent_can_be_finished_once(api, fake_app):
    flow = connect(api, fake_app)
    again = finish(api, flow["params"])
    assert again.status_code == 400
    assert again.json_body["type"] == "urn:loc8:problem:invalid-oauth-state"
    assert fake_app.calls.count("exchange_code") == 1


def test_a_parked_consent_expires_after_ten_minutes(api, fake_app, clock):
    flow = granted(api, fake_app)
    clock.advance(minutes=10, seconds=1)
    late = finish(api, flow["params"])
    assert late.status_code == 400
    assert "expired" in late.json_body["detail"]
    assert "exchange_code" not in fake_app.calls


def test_an_unknown_handle_is_refused(api, fake_app):
    flow = granted(api, fake_app)
    forged = {**flow["params"], "handle": flow["params"]["handle"][:-2] + "AA"}
    assert finish(api, forged).status_code == 400
    assert finish(api, flow["params"]).status_code == 200


def test_finishing_needs_a_token_and_the_admin_role(api, fake_app):
    flow = granted(api, fake_app)
    path = f"/v1/integrations/{flow['added']['id']}/consent"
    body = json.dumps({"handle": flow["params"]["handle"]})
    anonymous = api.http.post(path, headers={"Content-Type": "application/json"}, body=body)
    assert anonymous.status_code == 401
    viewer = api.http.post(
        path,
        headers={**bearer(roles=("viewer",)), "Content-Type": "application/json"},
        body=body,
    )
    assert viewer.status_code == 403
    assert finish(api, flow["params"]).status_code == 200


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
    assert flow["integration"]["status"] == "CHOOSE_ORGANISATION"
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
    params = redirect_params(callback(api, {"code": code, "state": state}))
    assert finish(api, params).json_body["status"] == "AUTHORISED"


def test_a_reconnect_is_finished_only_by_the_admin_who_asked_for_it(api, fake_app):
    integration_id = connect(api, fake_app)["added"]["id"]
    again = api.http.post(
        f"/v1/integrations/{integration_id}/authorize", headers=bearer(user_id="other-admin")
    )
    code, state = fake_app.approve(again.json_body["authorize_url"])
    params = redirect_params(callback(api, {"code": code, "state": state}))
    assert finish(api, params).status_code == 403
    code, state = fake_app.approve(
        api.http.post(
            f"/v1/integrations/{integration_id}/authorize", headers=bearer(user_id="other-admin")
        ).json_body["authorize_url"]
    )
    params = redirect_params(callback(api, {"code": code, "state": state}))
    assert finish(api, params, user="other-admin").status_code == 200


def test_a_replayed_state_is_refused_and_changes_nothing(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    assert redirect_params(callback(api, {"code": code, "state": state}))["result"] == "granted"
    replay = callback(api, {"code": code, "state": state})
    assert replay.status_code == 400
    assert replay.headers["Content-Type"] == "application/problem+json"
    assert "already used" in replay.json_body["detail"]
    assert "exchange_code" not in fake_app.calls


def test_a_forged_state_is_refused_before_any_exchange(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    header, payload, signature = state.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}AA"
    response = callback(api, {"code": code, "state": forged})
    assert response.status_code == 400
    assert response.json_body["type"] == "urn:loc8:problem:invalid-oauth-state"
    assert "exchange_code" not in fake_app.calls


def test_a_validly_signed_state_missing_a_claim_is_a_400_and_stores_nothing(api, fake_app, clock):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    complete = jwt.decode(state, options={"verify_signature": False})
    for name in ("tid", "iid", "jti", "uid"):
        partial = {key: value for key, value in complete.items() if key != name}
        response = callback(api, {"code": code, "state": signed_state(**partial)})
        assert response.status_code == 400, (name, response.body)
        assert response.json_body["type"] == "urn:loc8:problem:invalid-oauth-state"
    for wrong in ({"exp": "soon"}, {"exp": 10**30}, {"tid": 7}, {"iid": ""}):
        response = callback(api, {"code": code, "state": signed_state(**{**complete, **wrong})})
        assert response.status_code == 400, (wrong, response.body)
    assert "exchange_code" not in fake_app.calls
    assert stored_secrets() == []
    # The real state was never claimed by those: it still works.
    assert redirect_params(callback(api, {"code": code, "state": state}))["result"] == "granted"


def test_an_oversized_code_is_a_400_and_parks_nothing(api, fake_app):
    added = add_xero(api)
    _code, state = fake_app.approve(added["authorize_url"])
    response = callback(api, {"code": "c" * 5000, "state": state})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert not [item for item in scan_table() if item["PK"]["S"].startswith("PARKEDGRANT#")]


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


def test_token_endpoint_outage_is_a_502_and_the_same_finish_can_be_retried(api, fake_app):
    flow = granted(api, fake_app)
    fake_app.failures["exchange_code"] = unavailable()
    failed = finish(api, flow["params"])
    assert failed.status_code == 502
    assert failed.headers["Content-Type"] == "application/problem+json"
    integration = api.http.get(f"/v1/integrations/{flow['added']['id']}", headers=bearer())
    assert integration.json_body["status"] == "PENDING_AUTHORISATION"
    assert stored_secrets() == []

    retried = finish(api, flow["params"])
    assert retried.status_code == 200
    assert retried.json_body["status"] == "AUTHORISED"


def test_an_outage_after_the_exchange_revokes_the_unused_tokens(api, fake_app):
    flow = granted(api, fake_app)
    fake_app.failures["granted_organisations"] = unavailable()
    assert finish(api, flow["params"]).status_code == 502
    assert len(fake_app.revoked) == 1
    assert stored_secrets() == []
    integration = api.http.get(f"/v1/integrations/{flow['added']['id']}", headers=bearer())
    assert integration.json_body["status"] == "PENDING_AUTHORISATION"


def test_no_organisation_granted_is_a_400_and_stores_nothing(api, fake_app):
    fake_app.organisations = []
    flow = granted(api, fake_app)
    response = finish(api, flow["params"])
    assert response.status_code == 400
    assert "No organisation" in response.json_body["detail"]
    assert len(fake_app.revoked) == 1
    assert stored_secrets() == []


def test_an_organisation_named_in_the_callback_is_bound_without_a_choice(api, fake_app):
    """Apps that bind one company per consent say which in the redirect; the login's
    other companies are not offered."""
    fake_app.organisations = [
        Organisation(id="org-1", name="Demo Plumbing Ltd"),
        Organisation(id="org-2", name="Demo Electrical Pty"),
    ]
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    params = redirect_params(
        callback(api, {"code": code, "state": state, "organisationId": "org-2"})
    )
    finished = finish(api, params)
    assert finished.status_code == 200, finished.body
    assert finished.json_body["status"] == "AUTHORISED"
    assert finished.json_body["organisation"] == {"id": "org-2", "name": "Demo Electrical Pty"}
    assert "organisations" not in finished.json_body


def test_a_malformed_organisation_in_the_callback_is_a_400_and_parks_nothing(api, fake_app):
    added = add_xero(api)
    code, state = fake_app.approve(added["authorize_url"])
    response = callback(api, {"code": code, "state": state, "organisationId": "org 2<script>"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert not [item for item in scan_table() if item["PK"]["S"].startswith("PARKEDGRANT#")]
