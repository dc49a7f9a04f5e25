"""`python -m localdev.web --port 8100`: serve the local web return page."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from localdev.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for the Loc8 web client.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    run_simple(args.host, args.port, create_app(), threaded=True)


if __name__ == "__main__":
    main()
