"""Runs one child of the local stack so that it ends when the stack's runner ends.

`python -m localdev.supervised FD -m MODULE [ARGS...]` runs MODULE as `python -m` would;
`python -m localdev.supervised FD SCRIPT [ARGS...]` runs a script (e.g. `chalice`).

FD is the read end of a pipe whose only write end the runner holds and never writes to.
However the runner ends, even by SIGKILL, the kernel closes that write end and a read
here returns end-of-file. The child then stops its whole process group: the runner
starts each child as a session leader, so the group also holds anything the child
started itself. A parent-death signal (Linux's PR_SET_PDEATHSIG) would reach neither
grandchildren nor a macOS machine; the pipe reaches both.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading

# Time the group gets to stop on SIGTERM before it is killed.
GRACE_SECONDS = 5.0


def stop_own_group_when_closed(fd: int) -> None:
    """Block until the runner's end of the pipe closes, then stop this process group."""
    while True:
        try:
            if not os.read(fd, 64):
                break
        except OSError:
            break
    # Only a group this process leads is ours to stop; run by hand from a shell, the
    # group would be the shell's.
    leads_group = os.getpgrp() == os.getpid()
    group_or_self = os.getpgrp() if leads_group else os.getpid()
    kill = os.killpg if leads_group else os.kill
    kill(group_or_self, signal.SIGTERM)
    threading.Event().wait(GRACE_SECONDS)
    kill(group_or_self, signal.SIGKILL)


def main(argv: list[str]) -> None:
    if len(argv) < 2 or (argv[1] == "-m" and len(argv) < 3):
        raise SystemExit(__doc__)
    fd = int(argv[0])
    threading.Thread(
        target=stop_own_group_when_closed, args=(fd,), name="runner-watchdog", daemon=True
    ).start()
    if argv[1] == "-m":
        sys.argv = [argv[2], *argv[3:]]
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv[1:]
        runpy.run_path(argv[1], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
