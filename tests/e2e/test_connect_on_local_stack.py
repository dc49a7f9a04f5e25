"""The whole connect flow on the local stack, over real HTTP, consent POST included."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from localdev.__main__ import main as localdev_main
from localdev.stack import REGION, TABLE_NAME, LocalStack
from localdev.xero.stack_entry import CLIENT_SECRET as XERO_CLIENT_SECRET
from tests.support.local_stack import TIMEOUT, admin, connect, consent, finish, follow_callback

pytestmark = pytest.mark.e2e


def aws_client(stack: LocalStack, service: str):
    return boto3.client(
        service,
        endpoint_url=stack.moto_url,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def test_connect_authorise_list_and_disconnect(stack: LocalStack):
    assert requests.get(
        f"{stack.api_url}/v1/integrations", headers=admin(), timeout=TIMEOUT
    ).json() == {"integrations": []}
    added = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    )
    assert added.status_code == 201
    integration_id = added.json()["id"]
    assert added.json()["authorize_url"].startswith(stack.app_url("xero"))

    callback_url = consent(added.json()["authorize_url"])
    assert callback_url.startswith(f"{stack.api_url}/v1/oauth/xero/callback")
    result = follow_callback(callback_url)
    assert set(result) == {"integration_id", "result", "handle"}
    assert (result["integration_id"], result["result"]) == (integration_id, "granted")
    return_page = requests.get(
        f"{stack.return_url}?{urlsplit(callback_url).query}", timeout=TIMEOUT
    )
    assert return_page.status_code == 200
    # Parked, not connected: only the admin who added Xero can finish it.
    pending = requests.get(
        f"{stack.api_url}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT
    )
    assert pending.json()["status"] == "PENDING_AUTHORISATION"
    finished = finish(stack, result, admin())
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "AUTHORISED"

    listed = requests.get(f"{stack.api_url}/v1/integrations", headers=admin(), timeout=TIMEOUT)
    [integration] = listed.json()["integrations"]
    assert integration["status"] == "AUTHORISED"
    assert integration["organisation"]["name"] == "Demo Company (AU)"

    secret_name = f"loc8-integrations/local/tokens/demo/{integration_id}"
    tokens = json.loads(
        aws_client(stack, "secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"]
    )
    issued = [tokens["access_token"], tokens["refresh_token"], XERO_CLIENT_SECRET]
    table_dump = json.dumps(aws_client(stack, "dynamodb").scan(TableName=TABLE_NAME)["Items"])
    for secret in issued:
        assert secret not in table_dump

    replay = requests.get(callback_url, allow_redirects=False, timeout=TIMEOUT)
    assert replay.status_code == 400
    assert replay.headers["Content-Type"] == "application/problem+json"

    deleted = requests.delete(
        f"{stack.api_url}/v1/integrations/{integration_id}", headers=admin(), timeout=TIMEOUT
    )
    assert deleted.status_code == 204
    emulator = requests.get(f"{stack.app_url('xero')}/_emulator/state", timeout=TIMEOUT).json()
    assert [c for c in emulator["connections"] if c["active"]] == []
    assert all(grant["revokedAt"] for grant in emulator["grants"])
    with pytest.raises(aws_client(stack, "secretsmanager").exceptions.ResourceNotFoundException):
        aws_client(stack, "secretsmanager").get_secret_value(SecretId=secret_name)
    after = requests.get(f"{stack.api_url}/v1/integrations", headers=admin(), timeout=TIMEOUT)
    assert after.json() == {"integrations": []}

    api_log = stack.log_path("api").read_text()
    assert "integration connected" in api_log
    for secret in issued:
        assert secret not in api_log


def test_only_the_admin_who_added_xero_can_finish_connecting_it(stack: LocalStack):
    added = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    ).json()
    try:
        for stranger in (admin(user="another-admin"), admin(user="user-local", tenant="other")):
            returned = follow_callback(consent(added["authorize_url"]))
            refused = finish(stack, returned, stranger)
            assert refused.status_code == 403
            assert refused.headers["Content-Type"] == "application/problem+json"
            # Discarded: not even the right admin can use that handle now.
            assert finish(stack, returned, admin()).status_code == 400
            again = requests.get(
                f"{stack.api_url}/v1/integrations/{added['id']}", headers=admin(), timeout=TIMEOUT
            ).json()
            assert again["status"] == "PENDING_AUTHORISATION"
            retry = requests.post(
                f"{stack.api_url}/v1/integrations/{added['id']}/authorize",
                headers=admin(),
                timeout=TIMEOUT,
            )
            added["authorize_url"] = retry.json()["authorize_url"]
        assert connect(stack, added["authorize_url"])["status"] == "AUTHORISED"
    finally:
        requests.delete(
            f"{stack.api_url}/v1/integrations/{added['id']}", headers=admin(), timeout=TIMEOUT
        )


def test_denied_consent_comes_back_as_denied(stack: LocalStack):
    added = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=admin(), timeout=TIMEOUT
    ).json()
    try:
        result = follow_callback(consent(added["authorize_url"], decision="deny"))
        assert result["result"] == "denied"
        again = requests.get(
            f"{stack.api_url}/v1/integrations/{added['id']}", headers=admin(), timeout=TIMEOUT
        )
        assert again.json()["status"] == "PENDING_AUTHORISATION"
    finally:
        requests.delete(
            f"{stack.api_url}/v1/integrations/{added['id']}", headers=admin(), timeout=TIMEOUT
        )


def test_the_token_command_prints_a_token_the_stack_accepts(stack, capsys):
    assert localdev_main(["token", "--tenant", "demo"]) == 0
    token = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    reader = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{stack.api_url}/v1/integrations", headers=reader, timeout=TIMEOUT).ok
    refused = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=reader, timeout=TIMEOUT
    )
    assert refused.status_code == 403


def test_logs_are_written_per_component(stack: LocalStack):
    for name in ("moto", "xero", "web", "api"):
        assert Path(stack.log_path(name)).exists()
