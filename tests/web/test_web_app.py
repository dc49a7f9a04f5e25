"""The web server of the reference client: config.js, the OAuth return route, headers."""

from __future__ import annotations

import json
import re

import jwt
import pytest

from localdev.dev_tokens import AUDIENCE, LOCAL_JWT_SECRET, mint_token
from localdev.web.app import create_app

API = "http://127.0.0.1:8000"


@pytest.fixture
def client():
    app = create_app(API, lambda: mint_token("demo", ["admin"], user_id="demo-admin"))
    return app.test_client()


def config_of(body: str) -> dict:
    match = re.fullmatch(r"window\.LOC8_CONFIG = (\{.*\});\n", body)
    assert match, body
    return json.loads(match.group(1))


def test_the_page_and_its_assets_are_served(client):
    page = client.get("/integrations/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for asset in ('src="config.js"', 'src="app.js"', 'href="app.css"'):
        assert asset in html
    assert client.get("/integrations/app.js").mimetype == "text/javascript"
    assert client.get("/integrations/app.css").mimetype == "text/css"
    assert client.get("/").headers["Location"] == "/integrations/"
    assert client.get("/integrations/secrets.py").status_code == 404


def test_every_module_the_page_imports_is_served_as_javascript(client):
    """The page is ES modules with no build step: each import must be a file served here."""
    seen: set[str] = set()
    pending = ["app.js"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        response = client.get(f"/integrations/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == "text/javascript", name
        source = response.get_data(as_text=True)
        pending.extend(re.findall(r'^import [^;]*? from "\./([\w-]+\.js)";$', source, re.M))
    assert len(seen) > 5, seen  # the page is split into modules, all found


def test_config_js_hands_the_page_the_api_and_a_fresh_admin_token(client):
    response = client.get("/integrations/config.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    config = config_of(response.get_data(as_text=True))
    assert config["apiUrl"] == API
    claims = jwt.decode(config["token"], LOCAL_JWT_SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert (claims["tenant_id"], claims["roles"]) == ("demo", ["admin"])


def test_without_a_token_source_the_page_gets_no_token():
    client = create_app(API + "/").test_client()
    config = config_of(client.get("/integrations/config.js").get_data(as_text=True))
    assert config == {"apiUrl": API, "token": None}


def test_the_oauth_return_lands_on_the_page_with_the_outcome(client):
    response = client.get(
        "/integrations/return?integration_id=int_1&result=error&message=Xero+said+no&extra=x"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        "/integrations/?integration_id=int_1&result=error&message=Xero+said+no"
    )
    assert client.get("/integrations/return").headers["Location"] == "/integrations/"


def test_a_granted_consent_reaches_the_page_with_its_handle(client):
    response = client.get("/integrations/return?integration_id=int_1&result=granted&handle=h-1")
    assert response.headers["Location"] == (
        "/integrations/?integration_id=int_1&result=granted&handle=h-1"
    )


def test_every_response_limits_what_the_page_may_load_and_leak(client):
    headers = client.get("/integrations/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert f"connect-src {API}" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
