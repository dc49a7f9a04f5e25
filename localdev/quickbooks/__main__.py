"""python -m localdev.quickbooks --port 8103 [--host 127.0.0.1]: run the QuickBooks Online
emulator standalone."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from localdev.emukit import serve_until_interrupted
from localdev.quickbooks.emulator import QuickBooksEmulator
from localdev.quickbooks.identity import DISCOVERY_PATH


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.quickbooks", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8103)
    args = parser.parse_args(argv)

    emulator = QuickBooksEmulator.from_env()
    app = emulator.registered_app

    def banner(base_url: str) -> Iterator[str]:
        # The client secret is deliberately not printed.
        yield f"QuickBooks Online emulator listening on {base_url}"
        yield f"  discovery:   {base_url}{DISCOVERY_PATH}"
        yield f"  authorize:   {base_url}/connect/oauth2"
        yield f"  token:       {base_url}/oauth2/v1/tokens/bearer"
        yield f"  revoke:      {base_url}/v2/oauth2/tokens/revoke"
        yield f"  accounting:  {base_url}/v3/company/<realmId>/...?minorversion=75"
        yield f"  controls:    {base_url}/_emulator/"
        yield f"  client_id:   {app.client_id}"
        yield f"  redirects:   {', '.join(app.redirect_uris)}"

    serve_until_interrupted(emulator.app, args.host, args.port, banner)


if __name__ == "__main__":
    main()
