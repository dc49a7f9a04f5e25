"""Connecting an app through the API with the fake app: add, consent, callback, finish."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.auth import bearer
from tests.support.settings import RETURN_URL

INITIATOR = "user-local"


def add_xero(api, tenant: str = "tenant-a", user: str = INITIATOR) -> dict:
    response = api.http.post(
        "/v1/integrations",
        headers={**bearer(tenant, user_id=user), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    )
    assert response.status_code == 201, response.body
    return response.json_body


def callback(api, query: dict[str, str]):
    return api.http.get(f"/v1/oauth/xero/callback?{urlencode(query)}")


def redirect_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.body
    location = response.headers["Location"]
    assert location.startswith(RETURN_URL)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def finish(api, params: dict[str, str], tenant: str = "tenant-a", user: str = INITIATOR):
    """What the web client does on its return page: finish the parked consent as itself."""
    return api.http.post(
        f"/v1/integrations/{params['integration_id']}/consent",
        headers={**bearer(tenant, user_id=user), "Content-Type": "application/json"},
        body=json.dumps({"handle": params["handle"]}),
    )


def granted(api, fake_app, tenant: str = "tenant-a") -> dict:
    """Add Xero and allow on the consent page: the grant is parked for its initiator."""
    added = add_xero(api, tenant)
    code, state = fake_app.approve(added["authorize_url"])
    params = redirect_params(callback(api, {"code": code, "state": state}))
    return {"added": added, "params": params}


def connect(api, fake_app, tenant: str = "tenant-a") -> dict:
    flow = granted(api, fake_app, tenant)
    finished = finish(api, flow["params"], tenant)
    assert finished.status_code == 200, finished.body
    return {**flow, "integration": finished.json_body}
