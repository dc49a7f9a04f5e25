"""How the local stack runs the QuickBooks Online emulator and points the service at it."""

from __future__ import annotations

from localdev.stack_parts import AppEmulatorEntry

CLIENT_ID = "loc8-local-quickbooks-client"
CLIENT_SECRET = "loc8-local-quickbooks-secret"  # a well-known, local-only value


def _env(emulator_url: str, api_url: str) -> dict[str, str]:
    redirect = f"{api_url}/v1/oauth/quickbooks/callback"
    return {
        # The emulator's registered client...
        "QUICKBOOKS_EMULATOR_CLIENT_ID": CLIENT_ID,
        "QUICKBOOKS_EMULATOR_CLIENT_SECRET": CLIENT_SECRET,
        "QUICKBOOKS_EMULATOR_REDIRECT_URI": redirect,
        # ...and the service's provider settings, pointed at it.
        "QUICKBOOKS_CLIENT_ID": CLIENT_ID,
        "QUICKBOOKS_CLIENT_SECRET": CLIENT_SECRET,
        "QUICKBOOKS_REDIRECT_URI": redirect,
        "QUICKBOOKS_AUTHORIZE_URL": f"{emulator_url}/connect/oauth2",
        "QUICKBOOKS_TOKEN_URL": f"{emulator_url}/oauth2/v1/tokens/bearer",
        "QUICKBOOKS_REVOCATION_URL": f"{emulator_url}/v2/oauth2/tokens/revoke",
        "QUICKBOOKS_API_URL": emulator_url,
    }


def _banner(emulator_url: str) -> list[str]:
    return [f"QuickBooks Online {emulator_url}   (emulator; test controls under /_emulator/)"]


STACK_ENTRY = AppEmulatorEntry(
    key="quickbooks",
    title="QuickBooks Online emulator",
    port_variable="QUICKBOOKS_EMULATOR_PORT",
    default_port=8103,
    module="localdev.quickbooks",
    ready_path="/_emulator/state",
    env=_env,
    banner=_banner,
)
