"""Connecting Xero on the running local stack over real HTTP, as a person at the consent
page and the web client would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from localdev.dev_tokens import mint_token
from localdev.stack import LocalStack

TIMEOUT = 10


def admin(user: str = "user-local", tenant: str = "demo") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(tenant, ['admin'], user_id=user)}"}


def consent(authorize_url: str, decision: str = "allow") -> str:
    """Do what a person does on the consent page; return where Xero sends the browser."""
    page = requests.get(authorize_url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Demo Company (AU)" in page.text
    form_action = authorize_url  # the page posts back to the same URL
    answer = requests.post(
        form_action, data={"decision": decision}, allow_redirects=False, timeout=TIMEOUT
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


def follow_callback(callback_url: str) -> dict[str, str]:
    response = requests.get(callback_url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def finish(stack: LocalStack, returned: dict[str, str], headers: dict[str, str]):
    """What the web client's return page does: finish the consent as its signed-in user."""
    return requests.post(
        f"{stack.api_url}/v1/integrations/{returned['integration_id']}/consent",
        json={"handle": returned["handle"]},
        headers=headers,
        timeout=TIMEOUT,
    )


def connect(stack: LocalStack, authorize_url: str) -> dict:
    """Allow on the consent page, follow the callback and finish as the admin who added."""
    returned = follow_callback(consent(authorize_url))
    assert returned["result"] == "granted", returned
    finished = finish(stack, returned, admin())
    assert finished.status_code == 200, finished.text
    return finished.json()
