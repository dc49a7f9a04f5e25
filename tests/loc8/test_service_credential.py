"""The Container's Loc8 client: its credential from Secrets Manager (moto), or a plain value."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.app_secrets import MissingSecret
from chalicelib.bootstrap import Container
from chalicelib.domain.loc8_errors import Loc8AuthFailed
from tests.support.loc8_emulator import TOKEN
from tests.support.settings import make_settings

SECRET_NAME = "loc8-integrations/test/loc8-service-token"


@pytest.fixture
def secrets():
    with mock_aws():
        yield boto3.client("secretsmanager")


def container_for(server, **settings: object) -> Container:
    return Container(make_settings(loc8_api_url=server.url, loc8_api_max_retries=0, **settings))


def test_the_token_is_read_from_secrets_manager(server, secrets):
    secrets.create_secret(Name=SECRET_NAME, SecretString=TOKEN)
    loc8 = container_for(server, loc8_api_secret_name=SECRET_NAME).loc8_api

    assert [t.code for t in loc8.tax_types("demo")] == ["BAS_EXCLUDED", "GST", "GST_FREE"]


def test_a_wrong_secret_is_an_auth_failure_not_an_outage(server, secrets):
    secrets.create_secret(Name=SECRET_NAME, SecretString="an-old-token")
    loc8 = container_for(server, loc8_api_secret_name=SECRET_NAME).loc8_api

    with pytest.raises(Loc8AuthFailed):
        loc8.tax_types("demo")


def test_the_local_stack_may_give_the_token_as_a_value(server):
    loc8 = container_for(server, loc8_api_secret=TOKEN).loc8_api
    assert len(list(loc8.iter_line_items("demo"))) == 15


def test_no_credential_configured_is_said_plainly(server, secrets):
    loc8 = container_for(server).loc8_api
    with pytest.raises(MissingSecret, match="Loc8 service token"):
        loc8.tax_types("demo")


def test_no_url_configured_is_said_plainly():
    with pytest.raises(ValueError, match="LOC8_API_URL"):
        _ = Container(make_settings(loc8_api_secret=TOKEN)).loc8_api
