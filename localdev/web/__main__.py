"""`python -m localdev.web --api-url URL [--tenant demo]`: serve the Integrations page."""

from __future__ import annotations

import argparse
from functools import partial

from werkzeug.serving import run_simple

from localdev.dev_tokens import mint_token
from localdev.web.app import TokenSource, create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="The reference Loc8 web client, locally.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--api-url", default="http://127.0.0.1:8000", help="the API's base URL")
    parser.add_argument(
        "--tenant",
        help="hand the page a fresh admin token for this Loc8 tenant (local stack only)",
    )
    args = parser.parse_args()
    token_source: TokenSource | None = None
    if args.tenant:
        token_source = partial(mint_token, args.tenant, ["admin"], user_id=f"{args.tenant}-admin")
    run_simple(args.host, args.port, create_app(args.api_url, token_source), threaded=True)


if __name__ == "__main__":
    main()
