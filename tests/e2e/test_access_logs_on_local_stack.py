"""No log file of the local stack holds the OAuth callback's code or state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from localdev.dev_tokens import mint_token
from localdev.stack import LocalStack

pytestmark = pytest.mark.e2e
TIMEOUT = 10
CHILDREN = ("api", "web", "xero", "loc8", "moto", "pump")


def test_the_callbacks_code_and_state_are_redacted_in_every_log(stack: LocalStack):
    admin = {"Authorization": f"Bearer {mint_token('logs', ['admin'], user_id='user-logs')}"}
    added = requests.post(
        f"{stack.api_url}/v1/integrations", json={"app": "xero"}, headers=admin, timeout=TIMEOUT
    )
    assert added.status_code == 201, added.text
    authorize_url = added.json()["authorize_url"]
    assert requests.get(authorize_url, timeout=TIMEOUT).status_code == 200
    answer = requests.post(
        authorize_url, data={"decision": "allow"}, allow_redirects=False, timeout=TIMEOUT
    )
    callback_url = answer.headers["Location"]
    query = parse_qs(urlsplit(callback_url).query)
    secrets = [query["code"][0], query["state"][0]]

    requests.get(callback_url, allow_redirects=False, timeout=TIMEOUT)
    # A browser sent on to the web client with the same query string.
    requests.get(f"{stack.return_url}?{urlsplit(callback_url).query}", timeout=TIMEOUT)

    logs = {name: stack.log_path(name).read_text(errors="replace") for name in CHILDREN}
    for name, path in (
        ("api", urlsplit(callback_url).path),
        ("web", urlsplit(stack.return_url).path),
    ):
        # The stack is shared with other end-to-end tests, whose requests to the same
        # path may carry no code (a refused consent, say): look for this one's line.
        logged = [
            line
            for line in logs[name].splitlines()
            if f"GET {path}?" in line and "code=" in line and "state=" in line
        ]
        assert logged, f"the {name} log shows no request for {path} with a code and state"
        assert all("code=[redacted]" in line and "state=[redacted]" in line for line in logged)
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"the {name} log holds a secret of the callback"
