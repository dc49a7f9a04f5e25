"""Importing the app (every function's cold start) loads only what routing needs.

Each client library is loaded by the first call that uses it, so the API never pays
for the sync worker's and the worker never pays for the JWT library. How long an import
takes is measured by `make bench` (bench/bench_import_time.py), not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED_ON_FIRST_USE = (
    "boto3",
    "botocore.client",
    "requests",
    "jwt",
    "aws_xray_sdk",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parameters",
    "pydantic_settings",
    "chalicelib.settings",
    "chalicelib.adapters.providers",
    "chalicelib.services.sync_worker",
    "chalicelib.sync.invoices",
)


def test_importing_the_app_builds_no_client_and_reads_no_settings():
    probe = (
        "import json, sys, app; "
        f"print(json.dumps([m for m in {LOADED_ON_FIRST_USE!r} if m in sys.modules]))"
    )
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"}
    env.pop("PYTHONSTARTUP", None)
    output = subprocess.run(  # noqa: S603 - our own interpreter and a fixed probe
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert output.returncode == 0, output.stderr
    assert json.loads(output.stdout.strip().splitlines()[-1]) == []
