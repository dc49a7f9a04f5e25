"""The service settings every test starts from: moto table and queue names, test secrets."""

from __future__ import annotations

from chalicelib.adapters.providers.xero.settings import XeroSettings
from chalicelib.settings import Settings

TABLE = "loc8-integrations-test"
JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
STATE_SECRET = "test-state-signing-secret-0123456789abcdef"
WEB_ORIGIN = "https://app.loc8.test"
RETURN_URL = f"{WEB_ORIGIN}/settings/integrations"
SYNC_QUEUE = "loc8-test-sync-jobs"
SYNC_QUEUE_URL = f"https://sqs.ap-southeast-2.amazonaws.com/123456789012/{SYNC_QUEUE}"


def xero_settings(**overrides: object) -> XeroSettings:
    values: dict[str, object] = {"client_id": "test-client", "client_secret": "test-client-secret"}
    values.update(overrides)
    return XeroSettings(**values)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "table_name": TABLE,
        "sync_queue_url": SYNC_QUEUE_URL,
        "token_secret_prefix": "loc8-test/tokens",
        "jwt_secret": JWT_SECRET,
        "state_signing_secret": STATE_SECRET,
        "web_return_url": RETURN_URL,
        "cors_allowed_origins": [WEB_ORIGIN],
        "providers": {"xero": xero_settings()},
    }
    values.update(overrides)
    return Settings(**values)
