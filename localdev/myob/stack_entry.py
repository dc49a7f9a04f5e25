"""How the local stack runs the MYOB Business emulator and points the service at it."""

from __future__ import annotations

from localdev.stack_parts import AppEmulatorEntry

CLIENT_ID = "loc8-local-myob-key"
CLIENT_SECRET = "loc8-local-myob-secret"  # a well-known, local-only value


def _env(emulator_url: str, api_url: str) -> dict[str, str]:
    # The emulator reads the same MYOB_CLIENT_* and redirect as the service.
    return {
        "MYOB_CLIENT_ID": CLIENT_ID,
        "MYOB_CLIENT_SECRET": CLIENT_SECRET,
        "MYOB_REDIRECT_URI": f"{api_url}/v1/oauth/myob/callback",
        "MYOB_AUTHORIZE_URL": f"{emulator_url}/oauth2/account/authorize",
        "MYOB_TOKEN_URL": f"{emulator_url}/oauth2/v1/authorize",
        "MYOB_API_URL": f"{emulator_url}/accountright",
    }


def _banner(emulator_url: str) -> list[str]:
    return [f"MYOB Business     {emulator_url}   (emulator; test controls under /_emulator/)"]


STACK_ENTRY = AppEmulatorEntry(
    key="myob",
    title="MYOB Business emulator",
    port_variable="MYOB_EMULATOR_PORT",
    default_port=8104,
    module="localdev.myob",
    ready_path="/_emulator/state",
    env=_env,
    banner=_banner,
)
