"""python -m localdev.myob --port 8104 [--host 127.0.0.1]: run the MYOB emulator standalone."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from localdev.emukit import serve_until_interrupted
from localdev.myob.emulator import MyobEmulator
from localdev.myob.state import DEMO_COMPANY_FILE_ID, DEMO_COMPANY_FILE_NAME


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.myob", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8104)
    args = parser.parse_args(argv)

    emulator = MyobEmulator.from_env()
    app = emulator.registered_app

    def banner(base_url: str) -> Iterator[str]:
        # The client secret is deliberately not printed.
        yield f"MYOB emulator listening on {base_url}"
        yield f"  authorize:   {base_url}/oauth2/account/authorize"
        yield f"  token:       {base_url}/oauth2/v1/authorize"
        yield f"  api:         {base_url}/accountright/{{company file id}}/..."
        yield f"  demo file:   {DEMO_COMPANY_FILE_ID} ({DEMO_COMPANY_FILE_NAME})"
        yield f"  controls:    {base_url}/_emulator/"
        yield f"  api key:     {app.client_id}"
        yield f"  redirects:   {', '.join(app.redirect_uris)}"

    serve_until_interrupted(emulator.app, args.host, args.port, banner)


if __name__ == "__main__":
    main()
