"""Local servers' access logs never hold an OAuth code, a state or a token."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import requests

from localdev.emukit.access_log import redact
from localdev.emukit.serving import serve_in_thread
from localdev.stack import PROJECT_ROOT, free_port

CODE = "c0de-4-the-t0ken-endpoint"
STATE = "eyJzdGF0ZSI6InNpZ25lZCJ9.c2lnbmF0dXJl"
QUERY = f"code={CODE}&state={STATE}&result=granted"


def callback_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_an_emulators_access_log_redacts_the_callbacks_code_and_state(caplog) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    with serve_in_thread(callback_app) as server:
        assert requests.get(f"{server.url}/callback?{QUERY}", timeout=5).status_code == 200

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/callback?code=[redacted]&state=[redacted]&result=granted" in logged
    assert CODE not in logged
    assert STATE not in logged


def test_chalice_local_run_as_the_stack_runs_it_logs_no_code_or_state(tmp_path: Path) -> None:
    port = free_port()
    chalice = Path(sys.executable).with_name("chalice")
    environment = {
        **os.environ,
        "STAGE": "local",
        # Nothing here may reach AWS: a closed local port stands in for it.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "JWT_SECRET": "a-local-secret-long-enough-for-hs256-tokens",
        "STATE_SIGNING_SECRET": "a-local-state-signing-secret-0123456789",
    }
    log_path = tmp_path / "api.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                *(sys.executable, "-m", "localdev.redacted_logs", str(chalice), "local"),
                *("--host", "127.0.0.1", "--port", str(port), "--stage", "local"),
                "--no-autoreload",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=environment,
        )
    try:
        answered = False
        deadline = time.monotonic() + 60
        while not answered and server.poll() is None and time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/v1/health?{QUERY}", timeout=5)
                answered = True
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answered, log_path.read_text(errors="replace")
    finally:
        server.terminate()
        server.wait(timeout=10)

    text = log_path.read_text(errors="replace")
    assert "GET /v1/health?code=[redacted]&state=[redacted]&result=granted" in text
    assert CODE not in text
    assert STATE not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "/t?token=a&access_token=b&refresh_token=c",
            "/t?token=[redacted]&access_token=[redacted]&refresh_token=[redacted]",
        ),
        ("/t?code_verifier=v&keep=1", "/t?code_verifier=[redacted]&keep=1"),
        (
            "/r?to=https%3A%2F%2Fh%2Fcb%3Fcode%3Dsecret%26x%3D1",
            "/r?to=https%3A%2F%2Fh%2Fcb%3Fcode%3D[redacted]%26x%3D1",
        ),
        ("/_emulator/state?codename=1&mystate=2", "/_emulator/state?codename=1&mystate=2"),
    ],
)
def test_only_the_values_of_credential_parameters_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected
