"""`python -m localdev run|token`: start the local stack, or print a Loc8 token for it."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from localdev.app_emulators import APP_EMULATORS
from localdev.dev_tokens import mint_token
from localdev.stack import LOC8_SERVICE_TOKEN, PROJECT_ROOT, LocalStack, Ports, PortsInUse

DEMO_TENANT = "demo"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(BaseException):
    """A stop signal arrived. Not an Exception, so no `except Exception` swallows it."""


class StopOnFirstSignal:
    """Raises StopRequested for the first of SIGINT, SIGTERM and SIGHUP, ignores the rest.

    A terminal's Ctrl-C, `kill`, a closed terminal (HUP) and `make`, which passes its own
    TERM on after the group's, may all signal more than once; a second signal must not
    interrupt the stopping it asked for.
    """

    def __init__(self) -> None:
        self.received: signal.Signals | None = None

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self)

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is not None:
            return
        self.received = signal.Signals(signum)
        raise StopRequested


def _token(args: argparse.Namespace) -> int:
    roles = args.role or []
    print(mint_token(args.tenant, roles, user_id=args.user, lifetime_seconds=args.hours * 3600))
    return 0


def _run(_args: argparse.Namespace) -> int:
    log_dir = Path(os.environ.get("LOCALDEV_LOG_DIR") or PROJECT_ROOT / ".localdev" / "logs")
    stack = LocalStack(Ports.from_env(), log_dir=log_dir)
    stopper = StopOnFirstSignal()
    stopper.install()
    print("Starting the local stack…", flush=True)
    try:
        stack.start()
        print(_banner(stack), flush=True)
        while True:
            signal.pause()
    except PortsInUse as error:
        print(f"The local stack did not start. {error}", file=sys.stderr)
        return 1
    except RuntimeError as error:
        print(f"The local stack did not start: {error}", file=sys.stderr)
        return 1
    except StopRequested:
        print("\nStopping…", flush=True)
    finally:
        # Idempotent, and every child is stopped whichever way this ends.
        stack.stop()
    print("Stopped.", flush=True)
    return 0


def _emulator_lines(stack: LocalStack) -> str:
    return "\n".join(
        f"  {line}" for entry in APP_EMULATORS for line in entry.banner(stack.app_url(entry.key))
    )


def _banner(stack: LocalStack) -> str:
    admin = mint_token(DEMO_TENANT, ["admin"], user_id="demo-admin")
    return f"""
Loc8 Integrations is running locally. Open Settings > Integrations:

  {stack.web_client_url}

(signed in as an admin of tenant '{DEMO_TENANT}'; add ?token=<JWT> to act as someone else)

  API               {stack.api_url}   (try {stack.api_url}/v1/health)
{_emulator_lines(stack)}
  Loc8 core         {stack.loc8_url}   (emulator: tenant '{DEMO_TENANT}' seeded; /_emulator/)
  OAuth return      {stack.return_url}   (back to the page above)
  AWS (moto server) {stack.moto_url}
  Sync pump         schedule every {stack.schedule_seconds:.0f} s, SQS polled continuously
  Logs              {stack.log_dir}

Admin token for tenant '{DEMO_TENANT}' (valid 12 hours):

  export TOKEN={admin}

Connect Xero:
  curl -s -X POST {stack.api_url}/v1/integrations -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{{"app":"xero"}}'
  (or '{{"app":"quickbooks"}}' / '{{"app":"myob"}}': their consent pages ask which company)
  then open the "authorize_url" it returns, press Allow access, and list:
  curl -s {stack.api_url}/v1/integrations -H "Authorization: Bearer $TOKEN"

Read the demo tenant's data in Loc8 core (the service token is a local-only value):
  curl -s '{stack.loc8_url}/v1/tenants/{DEMO_TENANT}/customers?limit=5' \\
       -H "Authorization: Bearer {LOC8_SERVICE_TOKEN}"

Press Ctrl-C to stop everything."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localdev")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the whole local stack")
    run.set_defaults(handler=_run)
    token = commands.add_parser("token", help="print a Loc8 JWT the local stack accepts")
    token.add_argument("--tenant", required=True, help="Loc8 tenant id, e.g. demo")
    token.add_argument("--role", action="append", help="a role, e.g. admin (repeatable)")
    token.add_argument("--user", default="local-user", help="the token's subject")
    token.add_argument("--hours", type=int, default=12, help="lifetime in hours")
    token.set_defaults(handler=_token)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
