"""Stopping the local stack leaves no traceback in its logs: the parts that call others
stop before the servers they call, and the pump ends on one line if moto goes first."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from localdev.pump import Pump
from localdev.stack import HOST, free_port, stop_in_order

# --- the stack's stop order ---------------------------------------------------------------

# A child that notes when TERM reaches it and, like the pump finishing its batch, takes a
# moment before it exits; the runner must wait for it before stopping what it calls.
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    name, journal = sys.argv[1], sys.argv[2]
    def note(event):
        with open(journal, "a") as out:
            out.write(f"{name} {event}\\n")
    def on_term(_signum, _frame):
        note("got TERM")
        time.sleep(0.3)
        note("exited")
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    note("ready")
    while True:
        time.sleep(1)
    """
)
STACK_PARTS = ("moto", "xero", "loc8", "web", "api", "pump")  # in the order start() spawns
CALLERS = ("web", "api", "pump")
CALLED = ("moto", "xero", "loc8")


def test_callers_exit_before_the_servers_they_call_are_signalled(tmp_path: Path):
    journal = tmp_path / "journal"
    children = [
        (
            name,
            subprocess.Popen(  # noqa: S603 - fixed argv
                [sys.executable, "-c", CHILD, name, str(journal)], start_new_session=True
            ),
        )
        for name in STACK_PARTS
    ]
    try:
        deadline = time.monotonic() + 30
        while journal_events(journal).count("ready") < len(STACK_PARTS):
            assert time.monotonic() < deadline, journal.read_text()
            time.sleep(0.02)

        stop_in_order(children, timeout_seconds=10)
    finally:
        for _name, process in children:
            if process.poll() is None:
                process.kill()
                process.wait()

    lines = journal.read_text().splitlines()
    for caller in CALLERS:
        for called in CALLED:
            assert lines.index(f"{caller} exited") < lines.index(f"{called} got TERM"), lines
    assert all(process.returncode == 0 for _name, process in children)  # none needed KILL


def journal_events(journal: Path) -> list[str]:
    if not journal.exists():
        return []
    return [line.split(" ", 1)[1] for line in journal.read_text().splitlines()]


# --- the pump when moto has gone ------------------------------------------------------------


class RecordingApp:
    """The app's two handlers as the pump calls them; the schedule can ask the pump to stop,
    as a TERM arriving during a cycle does."""

    def __init__(self) -> None:
        self.pump: Pump | None = None
        self.stop_on_schedule = False
        self.handler_map = {
            "sync_scheduler": self._schedule,
            "sync_worker": lambda _event, _context: {"batchItemFailures": []},
        }

    def _schedule(self, _event: dict[str, Any], _context: object) -> None:
        if self.stop_on_schedule and self.pump is not None:
            self.pump.stopping = True


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedMotoServer]:
    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{HOST}:{port}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # a refused connection fails at once
    yield server
    server.stop()


def pump_on(app: RecordingApp) -> Pump:
    queue_url = boto3.client("sqs").create_queue(QueueName="sync-jobs")["QueueUrl"]
    pump = Pump(app, queue_url, schedule_seconds=3600)
    app.pump = pump
    return pump


def test_the_pump_stops_quietly_when_moto_went_away_while_it_was_stopping(
    moto_server: ThreadedMotoServer,
):
    app = RecordingApp()
    pump = pump_on(app)
    moto_server.stop()
    app.stop_on_schedule = True  # TERM arrives while this cycle runs

    pump.run_forever(wait_seconds=0)  # returns; raises nothing

    assert pump.stopping


def test_the_pump_ends_on_one_line_naming_moto_when_moto_goes_away_unasked(
    moto_server: ThreadedMotoServer,
):
    pump = pump_on(RecordingApp())
    moto_server.stop()

    with pytest.raises(SystemExit) as ended:
        pump.run_forever(wait_seconds=0)

    message = str(ended.value.code)
    assert "\n" not in message
    assert os.environ["AWS_ENDPOINT_URL"] in message  # where moto was
    assert "moto" in message
