"""How the local stack runs the Xero emulator and points the service at it."""

from __future__ import annotations

from localdev.stack_parts import AppEmulatorEntry

CLIENT_ID = "loc8-local-client"
CLIENT_SECRET = "loc8-local-client-secret"  # a well-known, local-only value


def _env(emulator_url: str, api_url: str) -> dict[str, str]:
    # The emulator reads the same XERO_CLIENT_* and redirect as the service.
    return {
        "XERO_CLIENT_ID": CLIENT_ID,
        "XERO_CLIENT_SECRET": CLIENT_SECRET,
        "XERO_REDIRECT_URI": f"{api_url}/v1/oauth/xero/callback",
        "XERO_AUTHORIZE_URL": f"{emulator_url}/identity/connect/authorize",
        "XERO_TOKEN_URL": f"{emulator_url}/connect/token",
        "XERO_REVOCATION_URL": f"{emulator_url}/connect/revocation",
        "XERO_API_URL": emulator_url,
    }


def _banner(emulator_url: str) -> list[str]:
    return [f"Xero emulator     {emulator_url}   (test controls under /_emulator/)"]


STACK_ENTRY = AppEmulatorEntry(
    key="xero",
    title="Xero emulator",
    port_variable="XERO_EMULATOR_PORT",
    default_port=8101,
    module="localdev.xero",
    ready_path="/_emulator/state",
    env=_env,
    banner=_banner,
)
