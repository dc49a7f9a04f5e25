"""Runs one local server with its access log redacted (`localdev.emukit.access_log`).

`python -m localdev.redacted_logs -m MODULE [ARGS...]` runs MODULE as `python -m` would;
`python -m localdev.redacted_logs SCRIPT [ARGS...]` runs a script (e.g. `chalice`). The
local stack starts every child through it, so no log file of the stack ever holds an
authorisation code, a state or a token from a request line.
"""

from __future__ import annotations

import runpy
import sys

from localdev.emukit.access_log import redact_access_logs_in_this_process


def main(argv: list[str]) -> None:
    if not argv or (argv[0] == "-m" and len(argv) < 2):
        raise SystemExit(__doc__)
    redact_access_logs_in_this_process()
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
