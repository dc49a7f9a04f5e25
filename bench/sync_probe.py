"""One measured activation sync: `python -m bench.sync_probe --contacts N`.

The Xero and Loc8 core emulators and moto server run as child processes, so this
process's peak memory is the worker's own (links and cursors live in moto's memory,
not here). Prints one JSON line: Xero
calls counted at the emulator for the activation import and for a following
no-change sync, the worker's peak RSS, and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-client-secret"
REDIRECT = "http://127.0.0.1:9/v1/oauth/xero/callback"
LOC8_TOKEN = "bench-loc8-token"
TENANT = "bench"
ADMIN = "bench-admin"


def _start(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _xero_calls(xero_url: str) -> dict[str, int]:
    return requests.get(f"{xero_url}/_emulator/calls", timeout=10).json()


def _diff(after: dict[str, int], before: dict[str, int]) -> int:
    return sum(count - before.get(key, 0) for key, count in after.items())


def main() -> None:
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=0, help="Xero contacts to import")
    parser.add_argument(
        "--invoices", type=int, default=0, help="issued Loc8 invoices to push (demo tenant)"
    )
    args = parser.parse_args()

    from localdev.stack import free_port
    from localdev.xero import DEMO_TENANT_ID

    xero_port, loc8_port, moto_port = free_port(), free_port(), free_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    xero_url, loc8_url = f"http://127.0.0.1:{xero_port}", f"http://127.0.0.1:{loc8_port}"
    children = [
        _start(
            "localdev.xero",
            xero_port,
            {
                "XERO_CLIENT_ID": CLIENT_ID,
                "XERO_CLIENT_SECRET": CLIENT_SECRET,
                "XERO_REDIRECT_URI": REDIRECT,
            },
        ),
        _start("localdev.loc8", loc8_port, {"LOC8_API_SECRET": LOC8_TOKEN}),
        subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        _wait(f"{xero_url}/_emulator/state")
        _wait(f"{loc8_url}/_emulator/tenants")
        _wait(f"http://127.0.0.1:{moto_port}/moto-api/")
        requests.post(
            f"{loc8_url}/_emulator/tenants",
            json={"tenant_id": TENANT, "seed": "demo" if args.invoices else None},
            timeout=10,
        ).raise_for_status()
        _add_invoices(loc8_url, args.invoices)
        for start in range(0, args.contacts, 5_000):
            contacts = [
                {"Name": f"Customer {n:06d}", "EmailAddress": f"c{n}@bench.example"}
                for n in range(start, min(args.contacts, start + 5_000))
            ]
            requests.post(
                f"{xero_url}/_emulator/organisations/{DEMO_TENANT_ID}/seed",
                json={"Contacts": contacts},
                timeout=120,
            ).raise_for_status()
        sync = (
            {"tax_rates": True, "customers": True, "invoices": True}
            if args.invoices
            else {"customers": True}
        )
        print(json.dumps(_measure(xero_url, loc8_url, sync)), flush=True)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _add_invoices(loc8_url: str, count: int) -> None:
    if not count:
        return
    snapshot = requests.get(f"{loc8_url}/_emulator/tenants/{TENANT}", timeout=30).json()
    customers = [customer["id"] for customer in snapshot["customers"]]
    for n in range(count):
        requests.post(
            f"{loc8_url}/_emulator/tenants/{TENANT}/invoices",
            json={
                "customer_id": customers[n % len(customers)],
                "issue_date": "2026-11-02",
                "due_date": "2026-11-30",
                "status": "issued",
                "lines": [
                    {
                        "description": "Labour",
                        "quantity": "2",
                        "unit_price": "110.00",
                        "tax_type_code": "GST",
                    },
                    {
                        "description": "Materials",
                        "quantity": "1",
                        "unit_price": "35.50",
                        "tax_type_code": "GST",
                    },
                ],
            },
            timeout=10,
        ).raise_for_status()


def _measure(xero_url: str, loc8_url: str, sync: dict[str, bool]) -> dict[str, object]:
    import boto3

    from chalicelib.adapters.dynamodb import create_table
    from chalicelib.adapters.providers.xero.settings import XeroSettings
    from chalicelib.bootstrap import Container
    from chalicelib.domain.sync_config import SyncConfig
    from chalicelib.domain.sync_run import SyncJob
    from chalicelib.settings import Settings

    create_table(boto3.client("dynamodb"), "bench")
    queue_url = boto3.client("sqs").create_queue(QueueName="bench-jobs")["QueueUrl"]
    clock = SharedClock(xero_url)
    container = Container(
        Settings(
            table_name="bench",
            sync_queue_url=queue_url,
            token_secret_prefix="bench/tokens",
            state_signing_secret="bench-state-signing-secret-0123456789",
            jwt_secret="bench-jwt-secret-0123456789-0123456789",
            providers={
                "xero": XeroSettings(
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    redirect_uri=REDIRECT,
                    authorize_url=f"{xero_url}/identity/connect/authorize",
                    token_url=f"{xero_url}/connect/token",
                    revocation_url=f"{xero_url}/connect/revocation",
                    api_url=xero_url,
                )
            },
            loc8_api_url=loc8_url,
            loc8_api_secret=LOC8_TOKEN,
        ),
        clock=clock,
    )
    container.__dict__["job_queue"] = ImmediateQueue(container.job_queue)
    integration, authorize_url = container.integrations.add(TENANT, "xero", ADMIN)
    consent = requests.post(
        authorize_url, data={"decision": "allow"}, allow_redirects=False, timeout=10
    )
    query = parse_qs(urlsplit(consent.headers["Location"]).query)
    parked = container.consent.receive("xero", query["state"][0], query["code"][0], None)
    assert parked.handle is not None
    container.consent.finish(TENANT, ADMIN, integration.id, parked.handle)
    config = SyncConfig.model_validate({"sync": sync, "default_account_code": "200"})
    container.configuration.save(TENANT, integration.id, config, None)

    sqs = boto3.client("sqs")
    started = time.perf_counter()
    before = _xero_calls(xero_url)
    _drain(container, sqs, queue_url, clock, SyncJob)
    after_import = _xero_calls(xero_url)
    import_calls = _diff(after_import, before)
    import_detail = {
        k: v - before.get(k, 0) for k, v in after_import.items() if v != before.get(k, 0)
    }
    seconds = time.perf_counter() - started

    # The next two scheduled syncs, nothing changed meanwhile. The first re-reads the
    # second in which the import's newest contacts were stamped (it was still open
    # when the import read it); from the second on, a quiet sync is the figure.
    clock.advance(15 * 60)
    before = _xero_calls(xero_url)
    container.sync_history.sync_now(TENANT, integration.id)
    _drain(container, sqs, queue_url, clock, SyncJob)
    first_quiet_calls = _diff(_xero_calls(xero_url), before)
    clock.advance(15 * 60)
    before = _xero_calls(xero_url)
    container.sync_history.sync_now(TENANT, integration.id)
    _drain(container, sqs, queue_url, clock, SyncJob)
    after = _xero_calls(xero_url)
    no_change_calls = _diff(after, before)
    no_change_detail = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "import_xero_calls": import_calls,
        "import_detail": import_detail,
        "first_quiet_sync_xero_calls": first_quiet_calls,
        "no_change_xero_calls": no_change_calls,
        "no_change_detail": no_change_detail,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "seconds": round(seconds, 1),
    }


class SharedClock:
    """The service's clock kept in step with the Xero emulator's when time is advanced."""

    def __init__(self, xero_url: str) -> None:
        self._xero_url = xero_url
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)
        requests.post(
            f"{self._xero_url}/_emulator/clock", json={"advance_seconds": seconds}, timeout=10
        ).raise_for_status()


class ImmediateQueue:
    """SQS as the probe needs it: a continuation's delay is recorded on Xero's clock
    by `_drain` instead of being waited for."""

    def __init__(self, real: object) -> None:
        self._real = real

    def send(self, job: object, delay_seconds: int = 0) -> None:
        self._real.send(job, delay_seconds=0)  # type: ignore[attr-defined]

    def send_batch(self, jobs: list[object]) -> list[object]:
        return self._real.send_batch(jobs)  # type: ignore[attr-defined]


def _drain(
    container: object, sqs: object, queue_url: str, clock: SharedClock, job_type: type
) -> None:
    """Run every job and continuation; a continuation's delay passes on Xero's clock."""
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(  # type: ignore[attr-defined]
            "Messages", []
        )
        if not messages:
            return
        for message in messages:
            job = job_type.model_validate_json(message["Body"])
            container.sync_worker.run(job, remaining_time=lambda: timedelta(minutes=14))  # type: ignore[attr-defined]
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])  # type: ignore[attr-defined]
            run = container.sync_runs.get(job.integration_id, job.run_id)  # type: ignore[attr-defined]
            if run.deferred_until is not None:
                clock.advance(61)


if __name__ == "__main__":
    main()
