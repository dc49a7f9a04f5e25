"""Cold-start import cost: `import app` against a bare Chalice app importing the same libraries."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE_APP = """
import boto3, requests, pydantic, pydantic_settings, jwt
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor
from chalice import Chalice
app = Chalice(app_name="bare")
"""

# The same, plus the one Logger/Metrics/Tracer a Powertools service creates at import:
# Tracer loads the X-Ray SDK, which any app that traces pays for.
BARE_APP_WITH_POWERTOOLS = (
    BARE_APP
    + """
Logger(service="bare"); Metrics(namespace="Bare", service="bare"); Tracer(service="bare")
"""
)

TIMER = """
import time, sys
started = time.perf_counter()
exec(compile(sys.argv[1], "<bench>", "exec"))
print(time.perf_counter() - started)
"""


def _import_seconds(code: str) -> float:
    env = {
        **os.environ,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
    }
    output = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", TIMER, code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main(runs: int) -> list[str]:
    app_median = statistics.median(_import_seconds("import app") for _ in range(runs))
    bare_median = statistics.median(_import_seconds(BARE_APP) for _ in range(runs))
    traced_median = statistics.median(
        _import_seconds(BARE_APP_WITH_POWERTOOLS) for _ in range(runs)
    )
    return [
        f"import app: median {app_median * 1000:.0f} ms",
        f"bare Chalice app importing the same libraries: median {bare_median * 1000:.0f} ms "
        f"(ratio {app_median / bare_median:.2f})",
        f"bare app that also creates Logger/Metrics/Tracer: median {traced_median * 1000:.0f} ms "
        f"(ratio {app_median / traced_median:.2f})",
    ]
