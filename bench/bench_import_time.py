"""Cold-start cost: `import app` against a bare Chalice app importing the same libraries.

The app builds what a function needs on first use (clients, the JWT library, the
Tracer), so the import alone is not the whole cold start: the last line adds the first
request (GET /v1/health, which builds the Tracer) for the full picture.
"""

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

FIRST_REQUEST = """
import app
from types import SimpleNamespace
event = {
    "resource": "/v1/health", "path": "/v1/health", "httpMethod": "GET", "headers": {},
    "multiValueHeaders": {}, "queryStringParameters": None,
    "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
    "requestContext": {"resourcePath": "/v1/health", "httpMethod": "GET", "stage": "v1",
                       "requestId": "bench", "path": "/v1/health"},
    "body": None, "isBase64Encoded": False,
}
context = SimpleNamespace(
    function_name="api_handler", memory_limit_in_mb=512, aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:ap-southeast-2:123456789012:function:api_handler",
)
assert app.app(event, context)["statusCode"] == 200
"""

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
    variants = {
        "app": "import app",
        "bare": BARE_APP,
        "traced": BARE_APP_WITH_POWERTOOLS,
        "first_request": FIRST_REQUEST,
    }
    # Interleaved, so a change in the machine's load affects every variant alike.
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, code in variants.items():
            samples[name].append(_import_seconds(code))
    app, bare, traced, first_request = (
        statistics.median(samples[name]) for name in ("app", "bare", "traced", "first_request")
    )
    return [
        f"import app: median {app * 1000:.0f} ms",
        f"bare Chalice app importing the same libraries: median {bare * 1000:.0f} ms "
        f"(ratio {app / bare:.2f})",
        f"bare app that also creates Logger/Metrics/Tracer: median {traced * 1000:.0f} ms "
        f"(ratio {app / traced:.2f})",
        f"import app and answer a first request: median {first_request * 1000:.0f} ms "
        f"(ratio {first_request / traced:.2f} to the bare app with Powertools)",
    ]
