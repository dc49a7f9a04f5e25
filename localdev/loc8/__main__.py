"""python -m localdev.loc8 --port 8102 [--host] [--seed-demo]: run the Loc8 core emulator."""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from localdev.loc8.emulator import Loc8Emulator
from localdev.loc8.seed import DEMO_TENANT_ID


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.loc8", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help=f"start with tenant '{DEMO_TENANT_ID}' holding the demo business",
    )
    args = parser.parse_args(argv)

    emulator = Loc8Emulator.from_env(seed_demo=args.seed_demo)
    server = make_server(args.host, args.port, emulator.app, threaded=True)
    display_host = "127.0.0.1" if args.host in ("", "0.0.0.0") else args.host
    base_url = f"http://{display_host}:{server.server_port}"
    # The service token is deliberately not printed (it comes from LOC8_API_SECRET).
    print(f"Loc8 core emulator listening on {base_url}", flush=True)
    print(f"  API:      {base_url}/v1/tenants/<tenant_id>/...", flush=True)
    print(f"  controls: {base_url}/_emulator/", flush=True)
    for tenant_id in sorted(emulator.state.tenants):
        counts = emulator.state.tenants[tenant_id].counts()
        print(f"  tenant {tenant_id!r}: {counts}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
