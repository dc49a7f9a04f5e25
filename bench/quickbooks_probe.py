"""One measured QuickBooks Online activation and the quiet syncs after it:
`python -m bench.quickbooks_probe --scenario import --customers N`.

Scenarios:
- `import`: the demo company holds N more customers; only customers sync.
- `push`: Loc8's demo tenant holds N more issued invoices; tax rates, customers and
  invoices sync (the Xero benchmark's set), so the invoices go out in batches.
- `all`: every domain on, on both sides' demo data; what a quiet sync of them costs.

The QuickBooks and Loc8 core emulators and moto server run as child processes, so this
process's peak memory is the worker's own. Prints one JSON line: QuickBooks calls counted
at the emulator (every request, a refused 429 too) for the activation and for the two
no-change syncs after it, the same calls by the provider's operation name (which code
path made them), the deferrals, the worker's peak RSS and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from bench.sync_probe import ImmediateQueue

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID, CLIENT_SECRET = "bench-qbo-client", "bench-qbo-client-secret"
REDIRECT = "http://127.0.0.1:9/v1/oauth/quickbooks/callback"
LOC8_TOKEN = "bench-loc8-token"
TENANT = "bench"
ADMIN = "bench-admin"
SCENARIOS = ("import", "push", "all")
# A deferred job waits out QuickBooks' one-minute windows on both emulators' clocks.
DEFERRAL_SECONDS = 61
# Steady state: each quiet sync is a scheduled one, 15 minutes after the last.
SCHEDULE_SECONDS = 15 * 60


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
    parser = argparse.ArgumentParser(prog="python -m bench.quickbooks_probe")
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument("--customers", type=int, default=0, help="QuickBooks customers to add")
    parser.add_argument(
        "--invoices",
        type=int,
        default=0,
        help="Loc8 invoices to send in all (issued ones are added to the demo tenant's)",
    )
    parser.add_argument(
        "--per-second",
        type=int,
        default=0,
        help="customers stamped per second of the emulator's clock (0: all in one second)",
    )
    parser.add_argument(
        "--trace", action="store_true", help="also list each call's operation and parameters"
    )
    args = parser.parse_args()

    with _emulators() as (qbo_url, loc8_url):
        clock = SharedClock(qbo_url, loc8_url)
        demo_tenant = args.scenario != "import"
        _post(
            f"{loc8_url}/_emulator/tenants",
            {"tenant_id": TENANT, "seed": "demo" if demo_tenant else None},
        )
        _add_invoices(loc8_url, args.invoices)
        _seed_customers(qbo_url, args.customers, args.per_second, clock)
        config = _config(args.scenario, _books(qbo_url))
        print(json.dumps(_measure(qbo_url, loc8_url, clock, config, args.trace)), flush=True)


# --- the emulators, as child processes ------------------------------------------------


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, *argv],
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


@contextmanager
def _emulators() -> Iterator[tuple[str, str]]:
    """The QuickBooks and Loc8 emulators and moto, stopped afterwards; their URLs."""
    from localdev.stack import free_port

    qbo_port, loc8_port, moto_port = free_port(), free_port(), free_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    qbo_url, loc8_url = f"http://127.0.0.1:{qbo_port}", f"http://127.0.0.1:{loc8_port}"
    host = ["--host", "127.0.0.1", "--port"]
    children = [
        _start(
            ["-m", "localdev.quickbooks", *host, str(qbo_port)],
            {
                "QUICKBOOKS_EMULATOR_CLIENT_ID": CLIENT_ID,
                "QUICKBOOKS_EMULATOR_CLIENT_SECRET": CLIENT_SECRET,
                "QUICKBOOKS_EMULATOR_REDIRECT_URI": REDIRECT,
            },
        ),
        _start(["-m", "localdev.loc8", *host, str(loc8_port)], {"LOC8_API_SECRET": LOC8_TOKEN}),
        _start(["-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)], {}),
    ]
    try:
        _wait(f"{qbo_url}/_emulator/state")
        _wait(f"{loc8_url}/_emulator/tenants")
        _wait(f"http://127.0.0.1:{moto_port}/moto-api/")
        yield qbo_url, loc8_url
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _post(url: str, body: object, timeout: float = 30) -> Any:
    response = requests.post(url, json=body, timeout=timeout)
    response.raise_for_status()
    return response.json() if response.content else None


# --- the data on both sides -------------------------------------------------------------


def _demo_realm() -> str:
    from localdev.quickbooks import DEMO_REALM_ID

    return DEMO_REALM_ID


def _seed_customers(qbo_url: str, count: int, per_second: int, clock: SharedClock) -> None:
    """`count` customers, `per_second` of them stamped in each second of the emulator's
    clock (a pace of creation or of a bulk import), or all in one second with 0."""
    if not count:
        return
    chunk = per_second or count
    for start in range(0, count, chunk):
        if start:
            clock.advance(1)
        made = min(chunk, count - start)
        _post(f"{qbo_url}/_emulator/companies/{_demo_realm()}/seed", {"customers": made}, 300)


def _add_invoices(loc8_url: str, count: int) -> None:
    """Issued invoices as a Loc8 user makes them (two GST lines each, the demo's customers
    in turn) until the tenant has `count` to send: its own issued and paid ones count."""
    if not count:
        return
    snapshot = requests.get(f"{loc8_url}/_emulator/tenants/{TENANT}", timeout=30).json()
    customers = [customer["id"] for customer in snapshot["customers"]]
    sendable = sum(1 for i in snapshot["invoices"] if i["status"] in ("issued", "paid"))
    with requests.Session() as session:
        for n in range(count - sendable):
            session.post(
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


def _books(qbo_url: str) -> dict[str, dict[str, str]]:
    """The demo company's accounts and tax codes: Id by name."""
    records = requests.get(
        f"{qbo_url}/_emulator/companies/{_demo_realm()}/records", timeout=30
    ).json()["records"]
    return {
        entity: {record["Name"]: record["Id"] for record in records.get(entity, [])}
        for entity in ("Account", "TaxCode")
    }


def _config(scenario: str, books: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What the admin saves on the settings page for the scenario."""
    if scenario == "import":
        return {"sync": {"customers": True}}
    accounts, codes = books["Account"], books["TaxCode"]
    config: dict[str, Any] = {
        "sync": {"tax_rates": True, "customers": True, "invoices": True},
        "invoice_status": "AUTHORISED",
        "default_account_code": accounts["Sales"],
        # Loc8's GST-free and BAS-excluded types have no same-named QuickBooks code and
        # several QuickBooks codes are 0%: the admin picks, as the settings page asks.
        "tax_rate_mappings": {"GST_FREE": codes["GST free"], "BAS_EXCLUDED": codes["Out of scope"]},
    }
    if scenario == "all":
        config["sync"].update({"line_items": True, "payments": True})
        config["payment_account_code"] = accounts["Business Cheque Account"]
    return config


# --- the measurement --------------------------------------------------------------------


class SharedClock:
    """The service's clock kept in step with both emulators' when time is advanced."""

    def __init__(self, *emulator_urls: str) -> None:
        self._emulator_urls = emulator_urls
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)
        for url in self._emulator_urls:
            _post(f"{url}/_emulator/clock", {"advance_seconds": seconds})


class Operations:
    """The provider's calls by its operation name (`list_customers`, `batch_invoice`...):
    which code path made the calls the emulator counts."""

    def __init__(self, trace: bool) -> None:
        self.counts: Counter[str] = Counter()
        self._trace = trace
        self.traced: list[str] = []

    def install(self) -> None:
        from chalicelib.adapters.providers.quickbooks import client

        real_send: Callable[..., Any] = client.send

        def counted_send(app: str, operation: str, *args: Any, **kwargs: Any) -> Any:
            self.counts[operation] += 1
            if self._trace:
                params = {
                    k: v for k, v in (kwargs.get("params") or {}).items() if k != "minorversion"
                }
                self.traced.append(f"{operation} {params}")
            return real_send(app, operation, *args, **kwargs)

        client.send = counted_send  # type: ignore[assignment]

    def since(self, before: Counter[str]) -> dict[str, int]:
        return dict(sorted((self.counts - before).items()))


def _calls(qbo_url: str) -> Counter[str]:
    return Counter(requests.get(f"{qbo_url}/_emulator/calls", timeout=10).json())


def _measure(
    qbo_url: str, loc8_url: str, clock: SharedClock, config: dict[str, Any], trace: bool
) -> dict[str, object]:
    import boto3

    from chalicelib.adapters.dynamodb import create_table
    from chalicelib.adapters.providers.quickbooks.settings import QuickBooksSettings
    from chalicelib.bootstrap import Container
    from chalicelib.domain.sync_config import SyncConfig
    from chalicelib.settings import Settings

    create_table(boto3.client("dynamodb"), "bench")
    queue_url = boto3.client("sqs").create_queue(QueueName="bench-jobs")["QueueUrl"]
    container = Container(
        Settings(
            table_name="bench",
            sync_queue_url=queue_url,
            token_secret_prefix="bench/tokens",
            state_signing_secret="bench-state-signing-secret-0123456789",
            jwt_secret="bench-jwt-secret-0123456789-0123456789",
            providers={
                "quickbooks": QuickBooksSettings(
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    redirect_uri=REDIRECT,
                    authorize_url=f"{qbo_url}/connect/oauth2",
                    token_url=f"{qbo_url}/oauth2/v1/tokens/bearer",
                    revocation_url=f"{qbo_url}/v2/oauth2/tokens/revoke",
                    api_url=qbo_url,
                )
            },
            loc8_api_url=loc8_url,
            loc8_api_secret=LOC8_TOKEN,
        ),
        clock=clock,
    )
    container.__dict__["job_queue"] = ImmediateQueue(container.job_queue)
    operations = Operations(trace)
    operations.install()

    integration, authorize_url = container.integrations.add(TENANT, "quickbooks", ADMIN)
    consent = requests.post(
        authorize_url,
        data={"decision": "allow", "realm_id": _demo_realm()},
        allow_redirects=False,
        timeout=10,
    )
    callback = dict(parse_qsl(urlsplit(consent.headers["Location"]).query))
    parked = container.consent.receive(
        "quickbooks", callback["state"], callback["code"], None, callback
    )
    assert parked.handle is not None, parked
    container.consent.finish(TENANT, ADMIN, integration.id, parked.handle)
    container.configuration.save(TENANT, integration.id, SyncConfig.model_validate(config), None)

    runner = _Runner(container, queue_url, clock)
    started = time.perf_counter()
    activation = runner.measure(qbo_url, operations, lambda: None)
    seconds = time.perf_counter() - started

    # The next two scheduled syncs, nothing changed meanwhile. The first may re-read
    # what the activation wrote or read in its last moments; the second is the figure.
    def sync_now() -> None:
        clock.advance(SCHEDULE_SECONDS)
        container.sync_history.sync_now(TENANT, integration.id)

    first_quiet = runner.measure(qbo_url, operations, sync_now)
    quiet = runner.measure(qbo_url, operations, sync_now)
    return {
        "activation": activation,
        "first_quiet": first_quiet,
        "quiet": quiet,
        **runner.outcome(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "seconds": round(seconds, 1),
        **({"trace": operations.traced} if trace else {}),
    }


class _Runner:
    """Runs every queued job and continuation; a continuation's delay passes on the clock."""

    def __init__(self, container: Any, queue_url: str, clock: SharedClock) -> None:
        import boto3

        self._container = container
        self._queue_url = queue_url
        self._clock = clock
        self._sqs = boto3.client("sqs")
        self._run_ids: list[tuple[str, str]] = []

    def measure(
        self, qbo_url: str, operations: Operations, start: Callable[[], None]
    ) -> dict[str, object]:
        start()
        calls_before, operations_before = _calls(qbo_url), Counter(operations.counts)
        deferrals = self._drain()
        by_endpoint = dict(sorted((_calls(qbo_url) - calls_before).items()))
        return {
            "calls": sum(by_endpoint.values()),
            "by_endpoint": by_endpoint,
            "by_operation": operations.since(operations_before),
            "deferrals": deferrals,
        }

    def _drain(self) -> int:
        from chalicelib.domain.sync_run import SyncJob

        deferrals = 0
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10
            ).get("Messages", [])
            if not messages:
                return deferrals
            for message in messages:
                job = SyncJob.model_validate_json(message["Body"])
                self._container.sync_worker.run(job, remaining_time=lambda: timedelta(minutes=14))
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                self._run_ids.append((job.integration_id, job.run_id))
                run = self._container.sync_runs.get(job.integration_id, job.run_id)
                if run.deferred_until is not None:
                    deferrals += 1
                    self._clock.advance(DEFERRAL_SECONDS)

    def outcome(self) -> dict[str, object]:
        """Each run's final status and its record errors (the first few), so a figure is
        never of a failed sync unnoticed."""
        statuses: list[str] = []
        errors: list[str] = []
        for integration_id, run_id in dict.fromkeys(self._run_ids):
            run = self._container.sync_runs.get(integration_id, run_id)
            statuses.append(run.status.value)
            errors += [f"{e.domain}/{e.record}: {e.message}" for e in run.errors]
        return {"statuses": sorted(set(statuses)), "errors": errors[:10]}


if __name__ == "__main__":
    main()
