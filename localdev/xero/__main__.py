"""python -m localdev.xero --port 8101 [--host 127.0.0.1]: run the Xero emulator standalone."""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from localdev.xero.emulator import XeroEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.xero", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args(argv)

    emulator = XeroEmulator.from_env()
    server = make_server(args.host, args.port, emulator.app, threaded=True)
    display_host = "127.0.0.1" if args.host in ("", "0.0.0.0") else args.host
    base_url = f"http://{display_host}:{server.server_port}"
    app = emulator.registered_app
    # The client secret is deliberately not printed.
    print(f"Xero emulator listening on {base_url}", flush=True)
    print(f"  authorize:   {base_url}/identity/connect/authorize", flush=True)
    print(f"  token:       {base_url}/connect/token", flush=True)
    print(f"  connections: {base_url}/connections", flush=True)
    print(f"  accounting:  {base_url}/api.xro/2.0 (Accept: application/json)", flush=True)
    print(f"  controls:    {base_url}/_emulator/", flush=True)
    print(f"  client_id:   {app.client_id}", flush=True)
    print(f"  redirects:   {', '.join(app.redirect_uris)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
