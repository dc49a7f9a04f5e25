"""python -m localdev.loc8 --port 8102 [--host] [--seed-demo]: run the Loc8 core emulator."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from localdev.emukit import serve_until_interrupted
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

    def banner(base_url: str) -> Iterator[str]:
        # The service token is deliberately not printed (it comes from LOC8_API_SECRET).
        yield f"Loc8 core emulator listening on {base_url}"
        yield f"  API:      {base_url}/v1/tenants/<tenant_id>/..."
        yield f"  controls: {base_url}/_emulator/"
        for tenant_id in sorted(emulator.state.tenants):
            yield f"  tenant {tenant_id!r}: {emulator.state.tenants[tenant_id].counts()}"

    serve_until_interrupted(emulator.app, args.host, args.port, banner)


if __name__ == "__main__":
    main()
