"""python -m localdev.xero --port 8101 [--host 127.0.0.1]: run the Xero emulator standalone."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from localdev.emukit import serve_until_interrupted
from localdev.xero.emulator import XeroEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.xero", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args(argv)

    emulator = XeroEmulator.from_env()
    app = emulator.registered_app

    def banner(base_url: str) -> Iterator[str]:
        # The client secret is deliberately not printed.
        yield f"Xero emulator listening on {base_url}"
        yield f"  authorize:   {base_url}/identity/connect/authorize"
        yield f"  token:       {base_url}/connect/token"
        yield f"  connections: {base_url}/connections"
        yield f"  accounting:  {base_url}/api.xro/2.0 (Accept: application/json)"
        yield f"  controls:    {base_url}/_emulator/"
        yield f"  client_id:   {app.client_id}"
        yield f"  redirects:   {', '.join(app.redirect_uris)}"

    serve_until_interrupted(emulator.app, args.host, args.port, banner)


if __name__ == "__main__":
    main()
