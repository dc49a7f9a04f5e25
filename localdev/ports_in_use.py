"""Which of the local stack's ports are taken, and by whom, before anything starts.

A child that cannot bind its port exits, but the runner's readiness probe would get an
answer from whatever holds the port, so the stack would report itself running while
talking to someone else's servers (typically an earlier stack that never stopped).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TCP_LISTEN = "0A"
LSOF_TIMEOUT_SECONDS = 5
COMMAND_SHOWN_CHARS = 120


@dataclass(frozen=True)
class Listener:
    pid: int
    command: str


@dataclass(frozen=True)
class BusyPort:
    env_name: str
    port: int
    listeners: tuple[Listener, ...]


def is_free(host: str, port: int) -> bool:
    """True when a server could bind host:port now.

    SO_REUSEADDR, as the stack's servers set it, so the leftovers of connections to a
    stack that has just stopped (TIME_WAIT) do not count as taken.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def busy_ports(host: str, ports: dict[str, int]) -> list[BusyPort]:
    """The ports (by the variable that sets each) a server could not bind on host."""
    return [
        BusyPort(env_name, port, listeners_on(port))
        for env_name, port in ports.items()
        if not is_free(host, port)
    ]


def listeners_on(port: int) -> tuple[Listener, ...]:
    """Processes listening on a TCP port, as far as this user may see; () if unknown."""
    inodes = _listening_inodes(port)
    if inodes:
        return _owners_of(inodes)
    return _lsof_listeners(port)


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in (PROC / "net" / "tcp", PROC / "net" / "tcp6"):
        try:
            rows = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) < 10 or fields[3] != TCP_LISTEN:
                continue
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port:
                inodes.add(fields[9])
    return inodes


def _owners_of(inodes: set[str]) -> tuple[Listener, ...]:
    wanted = {f"socket:[{inode}]" for inode in inodes}
    found: list[Listener] = []
    for process in PROC.iterdir():
        if not process.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (process / "fd").iterdir()}
        except OSError:  # gone meanwhile, or another user's
            continue
        if links & wanted:
            found.append(Listener(int(process.name), _command_of(process)))
    return tuple(sorted(found, key=lambda listener: listener.pid))


def _command_of(process: Path) -> str:
    try:
        raw = (process / "cmdline").read_bytes()
    except OSError:
        return "?"
    command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    command = " ".join(command.split())  # one line, however the command was written
    if len(command) > COMMAND_SHOWN_CHARS:
        return command[: COMMAND_SHOWN_CHARS - 1] + "…"
    return command


def _stack_runner_of(pid: int) -> int | None:
    """The pid of the `localdev run` that started pid, if that is what it is and it lives."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    parent = int(stat.rsplit(")", 1)[1].split()[1])
    return parent if "localdev run" in _command_of(PROC / str(parent)) else None


def _lsof_listeners(port: int) -> tuple[Listener, ...]:
    """Where there is no /proc (macOS), lsof says who listens, if it is installed."""
    lsof = shutil.which("lsof")
    if lsof is None:
        return ()
    try:
        answer = subprocess.run(  # noqa: S603 - fixed argv
            [lsof, "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fpc"],
            capture_output=True,
            text=True,
            timeout=LSOF_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    found: list[Listener] = []
    pid = None
    for line in answer.stdout.splitlines():
        if line.startswith("p"):
            pid = int(line[1:])
        elif line.startswith("c") and pid is not None:
            found.append(Listener(pid, line[1:]))
    return tuple(found)


def explain(host: str, busy: list[BusyPort], ports: dict[str, int]) -> str:
    """What a developer reads: each taken port, who has it, and two ways out."""
    lines = ["These ports are already in use, so nothing was started:"]
    holders: list[int] = []
    for taken in busy:
        if taken.listeners:
            who = "; ".join(f"pid {each.pid}: {each.command}" for each in taken.listeners)
            holders.extend(each.pid for each in taken.listeners)
        else:
            who = "by a process this user cannot see"
        lines.append(f"  {host}:{taken.port} ({taken.env_name}), {who}")
    lines.append("")
    runners = sorted({runner for pid in holders if (runner := _stack_runner_of(pid))})
    to_kill = runners or sorted(set(holders))
    if runners:
        lines.append(
            "An earlier local stack is still running: stop it with Ctrl-C where it runs, "
            f"or `kill {' '.join(map(str, to_kill))}`."
        )
    elif to_kill:
        lines.append(f"Stop what holds them (e.g. `kill {' '.join(map(str, to_kill))}`).")
    else:
        lines.append("Stop whatever holds them.")
    lines.append(f"Or use other ports, e.g.:  {_command_on_free_ports(host, busy, ports)}")
    return "\n".join(lines)


def _command_on_free_ports(host: str, busy: list[BusyPort], ports: dict[str, int]) -> str:
    """`make run` with every port variable set: the taken ones moved, the rest as chosen.

    Naming only the moved ones would, copied as it stands, drop the user's other choices
    and start those parts on their defaults.
    """
    suggested = dict(ports)
    avoid = set(ports.values())
    for taken in busy:
        other = _free_port_near(host, taken.port, avoid)
        avoid.add(other)
        suggested[taken.env_name] = other
    assignments = " ".join(f"{env_name}={port}" for env_name, port in suggested.items())
    return f"{assignments} make run"


def _free_port_near(host: str, port: int, avoid: set[int]) -> int:
    for candidate in range(port + 1000, port + 1100):
        if candidate < 65536 and candidate not in avoid and is_free(host, candidate):
            return candidate
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
