"""`python -m localdev run` (what `make run` starts) always stops its children, and never
starts on top of ports someone else holds.

Each test starts the real runner in its own process group, as a terminal or `make` does,
and watches its process tree through /proc.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from localdev.stack import HOST, PROJECT_ROOT, Ports

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]
READY = "is running locally"
START_TIMEOUT = 90.0
# Generous bounds on waits that end as soon as the condition holds.
STOP_TIMEOUT = 30.0
ORPHAN_TIMEOUT = 30.0


# --- processes, identified by pid and start time so a reused pid is not mistaken -------


@dataclass(frozen=True)
class Proc:
    pid: int
    started: str

    def alive(self) -> bool:
        stat = _stat(self.pid)
        # A zombie has exited; only its parent's bookkeeping is left.
        return stat is not None and stat[2] == self.started and stat[0] != "Z"


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) from /proc/<pid>/stat, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()  # after "pid (command)"
    return fields[0], int(fields[1]), fields[19]


def descendants(root: int) -> set[Proc]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children[stat[1]].append(int(entry.name))
    found: set[Proc] = set()
    todo = list(children[root])
    while todo:
        pid = todo.pop()
        stat = _stat(pid)
        if stat is not None:
            found.add(Proc(pid, stat[2]))
            todo.extend(children[pid])
    return found


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(0.05)


# --- the runner ---------------------------------------------------------------------------


@dataclass
class Runner:
    process: subprocess.Popen[str]
    ports: Ports
    lines: list[str] = field(default_factory=list)
    children: set[Proc] = field(default_factory=set)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def signal_group(self, signum: signal.Signals) -> None:
        """As a terminal's Ctrl-C, `kill -TERM -<pgid>` or a closed terminal would."""
        os.killpg(self.process.pid, signum)

    def wait_for_output(self, text: str, timeout: float) -> None:
        wait_until(
            lambda: text in self.output or self.process.poll() is not None,
            timeout,
            f"{text!r} from the runner",
        )
        assert text in self.output, self.output


def start_runner(ports: Ports, log_dir: Path) -> Runner:
    env = {
        **os.environ,
        **{variable: str(port) for variable, port in ports.by_variable().items()},
        "PUMP_SCHEDULE_SECONDS": "3600",
        "LOCALDEV_LOG_DIR": str(log_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    runner = Runner(process, ports)
    assert process.stdout is not None
    threading.Thread(
        target=lambda: runner.lines.extend(iter(process.stdout.readline, "")), daemon=True
    ).start()
    return runner


@pytest.fixture
def runners(tmp_path: Path) -> Iterator[list[Runner]]:
    """Runners the test starts; anything a failed test leaves is killed, group by group."""
    started: list[Runner] = []
    yield started
    for runner in started:
        if runner.process.poll() is None:
            runner.process.kill()
        runner.process.wait()
        for proc in runner.children:
            if proc.alive():
                os.kill(proc.pid, signal.SIGKILL)


def running_stack(runners: list[Runner], log_dir: Path) -> tuple[Runner, set[Proc]]:
    runner = start_runner(Ports.free(), log_dir)
    runners.append(runner)
    runner.wait_for_output(READY, START_TIMEOUT)
    runner.children = descendants(runner.process.pid)
    assert len(runner.children) >= 6, runner.children  # moto, two emulators, web, API, pump
    return runner, runner.children


def logs_of(runner: Runner) -> Path:
    """The log folder the runner prints ("  Logs   <folder>")."""
    line = next(line for line in runner.lines if line.strip().startswith("Logs "))
    return Path(line.split(None, 1)[1].strip())


def assert_all_gone(children: set[Proc], timeout: float) -> None:
    wait_until(
        lambda: not any(proc.alive() for proc in children),
        timeout,
        f"children to exit: {sorted(p.pid for p in children if p.alive())}",
    )


# --- stopping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signals",
    [
        pytest.param([signal.SIGINT], id="ctrl-c"),
        pytest.param([signal.SIGHUP], id="terminal-closed"),
        # `make` passes its own TERM on to the runner after the group's.
        pytest.param([signal.SIGTERM, signal.SIGTERM], id="term-twice-as-make-does"),
    ],
)
def test_a_stop_signal_stops_every_child(
    runners: list[Runner], tmp_path: Path, signals: list[signal.Signals]
):
    runner, children = running_stack(runners, tmp_path)

    runner.signal_group(signals[0])
    for again in signals[1:]:
        runner.wait_for_output("Stopping", STOP_TIMEOUT)
        runner.signal_group(again)
    runner.process.wait(timeout=STOP_TIMEOUT)

    assert [proc.pid for proc in children if proc.alive()] == []


def test_children_exit_when_the_runner_is_killed(runners: list[Runner], tmp_path: Path):
    runner, children = running_stack(runners, tmp_path)

    runner.process.kill()  # SIGKILL to the runner alone: it cannot clean up
    runner.process.wait()

    assert_all_gone(children, ORPHAN_TIMEOUT)


# --- ports --------------------------------------------------------------------------------


def test_a_busy_port_is_named_and_nothing_starts(runners: list[Runner], tmp_path: Path):
    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = dataclasses.replace(Ports.free(), api=taken)
        runner = start_runner(ports, tmp_path)
        runners.append(runner)
        runner.process.wait(timeout=STOP_TIMEOUT)
        runner.wait_for_output("make run", STOP_TIMEOUT)

    assert runner.process.returncode != 0
    message = runner.output
    assert f"{HOST}:{taken} (API_PORT)" in message
    assert f"pid {os.getpid()}" in message  # this test holds the port
    assert "API_PORT=" in message
    assert "make run" in message
    assert READY not in message
    assert list(tmp_path.iterdir()) == []  # no child started, so no log was opened


def test_a_second_run_refuses_and_leaves_the_first_stack_alone(
    runners: list[Runner], tmp_path: Path
):
    first, children = running_stack(runners, tmp_path)
    log_dir = logs_of(first)
    logs_before = {log.name: log.stat().st_size for log in log_dir.glob(f"*-{first.ports.api}.log")}
    assert logs_before
    assert all(logs_before.values())

    second = start_runner(first.ports, tmp_path)
    runners.append(second)
    second.process.wait(timeout=STOP_TIMEOUT)

    assert second.process.returncode != 0
    assert READY not in second.output
    assert all((log_dir / name).stat().st_size >= size for name, size in logs_before.items())
    assert all(proc.alive() for proc in children)
    # It says which ports, held by which of the first stack's processes.
    second.wait_for_output("make run", STOP_TIMEOUT)
    for name in ("API_PORT", "WEB_PORT", "XERO_EMULATOR_PORT", "LOC8_EMULATOR_PORT", "MOTO_PORT"):
        assert f"({name})" in second.output
    assert any(f"pid {proc.pid}:" in second.output for proc in children)
    assert f"kill {first.process.pid}`" in second.output  # the first stack's runner

    first.signal_group(signal.SIGTERM)
    first.process.wait(timeout=STOP_TIMEOUT)
    assert [proc.pid for proc in children if proc.alive()] == []
