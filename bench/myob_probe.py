"""One measured MYOB Business activation and the quiet syncs after it:
`python -m bench.myob_probe --scenario import --customers N`.

Scenarios:
- `import`: the demo company file holds N more customers; only customers sync.
- `push`: Loc8's demo tenant holds N issued invoices in all; tax rates, customers and
  invoices sync, one POST per invoice.
- `all`: every domain on, on both sides' demo data; what a quiet sync of them costs.
- `concurrent`: two Loc8 tenants, each with its own integration on its own company file
  but the same API key, push N invoices each at the same time from two workers (two
  containers, as two Lambdas), in real time.

In the first three the MYOB and Loc8 emulators and moto run as child processes, so this
process's peak memory is the worker's own, and the pacer's waits move every clock
instead of sleeping (emulated time: the figures say so). `concurrent` runs the MYOB
emulator in this process on the real clock, so it can note when each call reached MYOB's
per-key limiter. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
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
CLIENT_ID, CLIENT_SECRET = "bench-myob-api-key", "bench-myob-api-secret"
REDIRECT = "http://127.0.0.1:9/v1/oauth/myob/callback"
LOC8_TOKEN = "bench-loc8-token"
TENANT = "bench"
ADMIN = "bench-admin"
SCENARIOS = ("import", "push", "all", "concurrent")
# Steady state: each quiet sync is a scheduled one, 15 minutes after the last.
SCHEDULE_SECONDS = 15 * 60
# The second company file of the concurrent scenario (any UUID the emulator lacks).
SECOND_FILE_ID = "0b6f7a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b"


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
    parser = argparse.ArgumentParser(prog="python -m bench.myob_probe")
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument("--customers", type=int, default=0, help="MYOB customers to add")
    parser.add_argument(
        "--invoices",
        type=int,
        default=0,
        help="Loc8 invoices to send per tenant (the demo tenant's issued ones count)",
    )
    parser.add_argument(
        "--per-second",
        type=int,
        default=0,
        help="customers stamped per second of the emulator's clock (0: all in one second)",
    )
    args = parser.parse_args()
    if args.scenario == "concurrent":
        result = _concurrent(args.invoices)
    else:
        result = _single(args.scenario, args.customers, args.invoices, args.per_second)
    print(json.dumps(result), flush=True)


def _single(scenario: str, customers: int, invoices: int, per_second: int) -> dict[str, Any]:
    from localdev.myob import DEMO_COMPANY_FILE_ID

    with _emulators(myob_in_process=False) as (myob_url, loc8_url, _emulator):
        clock = SharedClock(myob_url, loc8_url)
        _post(
            f"{loc8_url}/_emulator/tenants",
            {"tenant_id": TENANT, "seed": None if scenario == "import" else "demo"},
        )
        _add_invoices(loc8_url, TENANT, invoices)
        _seed_customers(myob_url, customers, per_second, clock)
        return _measure(myob_url, loc8_url, clock, _config(scenario), DEMO_COMPANY_FILE_ID)


# --- the emulators ----------------------------------------------------------------------


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
def _emulators(*, myob_in_process: bool) -> Iterator[tuple[str, str, Any]]:
    """MYOB's and Loc8's emulators and moto, stopped afterwards: their URLs, and the MYOB
    emulator itself when it runs in this process."""
    from localdev.emukit import serve_in_thread
    from localdev.myob import MyobEmulator
    from localdev.stack import free_port

    myob_port, loc8_port, moto_port = free_port(), free_port(), free_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    loc8_url = f"http://127.0.0.1:{loc8_port}"
    host = ["--host", "127.0.0.1", "--port"]
    children = [
        _start(["-m", "localdev.loc8", *host, str(loc8_port)], {"LOC8_API_SECRET": LOC8_TOKEN}),
        _start(["-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)], {}),
    ]
    emulator: Any = None
    served: Any = None
    try:
        if myob_in_process:
            emulator = MyobEmulator(CLIENT_ID, CLIENT_SECRET, [REDIRECT])
            served = serve_in_thread(emulator.app)
            myob_url = served.__enter__().url
        else:
            myob_url = f"http://127.0.0.1:{myob_port}"
            children.append(
                _start(
                    ["-m", "localdev.myob", *host, str(myob_port)],
                    {
                        "MYOB_CLIENT_ID": CLIENT_ID,
                        "MYOB_CLIENT_SECRET": CLIENT_SECRET,
                        "MYOB_REDIRECT_URI": REDIRECT,
                    },
                )
            )
        _wait(f"{myob_url}/_emulator/state")
        _wait(f"{loc8_url}/_emulator/tenants")
        _wait(f"http://127.0.0.1:{moto_port}/moto-api/")
        yield myob_url, loc8_url, emulator
    finally:
        if served is not None:
            served.__exit__(None, None, None)
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


def _seed_customers(myob_url: str, count: int, per_second: int, clock: SharedClock) -> None:
    """`count` customers in the demo file, `per_second` of them stamped in each second of
    the emulator's clock, or all in one second with 0."""
    from localdev.myob import DEMO_COMPANY_FILE_ID

    chunk = per_second or count
    for start in range(0, count, chunk or 1):
        if start:
            clock.advance(1)
        made = min(chunk, count - start)
        _post(
            f"{myob_url}/_emulator/company-files/{DEMO_COMPANY_FILE_ID}/seed",
            {"customers": made},
            300,
        )


def _add_invoices(loc8_url: str, tenant: str, count: int) -> None:
    """Issued invoices as a Loc8 user makes them (two GST lines each, the demo's customers
    in turn) until the tenant has `count` to send: its own issued and paid ones count."""
    if not count:
        return
    snapshot = requests.get(f"{loc8_url}/_emulator/tenants/{tenant}", timeout=30).json()
    customers = [customer["id"] for customer in snapshot["customers"]]
    sendable = sum(1 for i in snapshot["invoices"] if i["status"] in ("issued", "paid"))
    line = {"quantity": "1", "tax_type_code": "GST"}
    with requests.Session() as session:
        for n in range(count - sendable):
            session.post(
                f"{loc8_url}/_emulator/tenants/{tenant}/invoices",
                json={
                    "customer_id": customers[n % len(customers)],
                    "issue_date": "2026-11-02",
                    "due_date": "2026-11-30",
                    "status": "issued",
                    "lines": [
                        {**line, "description": "Labour", "quantity": "2", "unit_price": "110.00"},
                        {**line, "description": "Materials", "unit_price": "35.50"},
                    ],
                },
                timeout=10,
            ).raise_for_status()


def _config(scenario: str) -> dict[str, Any]:
    """What the admin saves on the settings page: the demo file's income and bank
    accounts, and MYOB's GST-free and not-reportable codes."""
    if scenario == "import":
        return {"sync": {"customers": True}}
    config: dict[str, Any] = {
        "sync": {"tax_rates": True, "customers": True, "invoices": True},
        "invoice_status": "AUTHORISED",
        "default_account_code": "4-1000",
        "line_item_accounts": {},
        "tax_rate_mappings": {"GST_FREE": "FRE", "BAS_EXCLUDED": "N-T"},
    }
    if scenario == "all":
        config["sync"].update({"line_items": True, "payments": True})
        config["payment_account_code"] = "1-1110"
    return config


# --- the service ------------------------------------------------------------------------


class SharedClock:
    """The service's clock kept in step with the emulators' when time is advanced."""

    def __init__(self, *emulator_urls: str) -> None:
        self._emulator_urls = emulator_urls
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            for url in self._emulator_urls:
                _post(f"{url}/_emulator/clock", {"advance_seconds": seconds})


class Operations:
    """The provider's calls by operation name (which code path made them), and when each
    was sent on the service's clock."""

    def __init__(self, clock: SharedClock) -> None:
        self.counts: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.sent_at: list[float] = []
        self._clock = clock
        self._lock = threading.Lock()

    def install(self) -> None:
        from chalicelib.adapters.providers.myob import client

        real_send: Callable[..., Any] = client.send

        def counted_send(app: str, operation: str, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.counts[operation] += 1
                self.sent_at.append(self._clock.now().timestamp())
            response = real_send(app, operation, *args, **kwargs)
            if getattr(response, "status_code", None) == 304:
                with self._lock:
                    self.not_modified[operation] += 1
            return response

        client.send = counted_send  # type: ignore[assignment]

    def since(self, before: Counter[str]) -> dict[str, int]:
        return dict(sorted((self.counts - before).items()))


def _container(
    myob_url: str, loc8_url: str, clock: SharedClock, sleep: Callable[[float], None], name: str
) -> tuple[Any, str]:
    """The service as one Lambda sees it (its own queue), on the shared table."""
    import boto3

    from chalicelib.adapters.providers.myob import MyobProvider
    from chalicelib.adapters.providers.myob.settings import MyobSettings
    from chalicelib.bootstrap import Container
    from chalicelib.settings import Settings

    queue_url = boto3.client("sqs").create_queue(QueueName=f"bench-jobs-{name}")["QueueUrl"]
    container = Container(
        Settings(
            table_name="bench",
            sync_queue_url=queue_url,
            token_secret_prefix="bench/tokens",
            state_signing_secret="bench-state-signing-secret-0123456789",
            jwt_secret="bench-jwt-secret-0123456789-0123456789",
            providers={
                "myob": MyobSettings(
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    redirect_uri=REDIRECT,
                    authorize_url=f"{myob_url}/oauth2/account/authorize",
                    token_url=f"{myob_url}/oauth2/v1/authorize",
                    api_url=f"{myob_url}/accountright",
                )
            },
            loc8_api_url=loc8_url,
            loc8_api_secret=LOC8_TOKEN,
        ),
        clock=clock,
        registrations=[MyobProvider(sleep=sleep)],
    )
    container.__dict__["job_queue"] = ImmediateQueue(container.job_queue)
    return container, queue_url


def _connect(container: Any, tenant: str, company_file_id: str, config: dict[str, Any]) -> str:
    """The admin adds MYOB Business, allows the company file on MYOB's consent page and
    saves the settings: the activation job is queued. The integration's id."""
    from chalicelib.domain.sync_config import SyncConfig

    integration, authorize_url = container.integrations.add(tenant, "myob", ADMIN)
    consent = requests.post(
        authorize_url,
        data={"decision": "allow", "business_id": company_file_id},
        allow_redirects=False,
        timeout=10,
    )
    callback = dict(parse_qsl(urlsplit(consent.headers["Location"]).query))
    parked = container.consent.receive("myob", callback["state"], callback["code"], None, callback)
    assert parked.handle is not None, parked
    container.consent.finish(tenant, ADMIN, integration.id, parked.handle)
    container.configuration.save(tenant, integration.id, SyncConfig.model_validate(config), None)
    return str(integration.id)


def _calls(myob_url: str) -> Counter[str]:
    return Counter(requests.get(f"{myob_url}/_emulator/calls", timeout=10).json())


def _refusals(myob_url: str) -> int:
    state = requests.get(f"{myob_url}/_emulator/state", timeout=10).json()
    return int(state["rate_limit_refusals"])


def _busiest_second(moments: list[float]) -> int:
    """The most calls in any rolling second (MYOB's window)."""
    ordered = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


class Paced:
    """The pacer's waits as moves of every clock (emulated time), totalled."""

    def __init__(self, clock: SharedClock) -> None:
        self._clock = clock
        self.seconds = 0.0

    def __call__(self, seconds: float) -> None:
        self.seconds += seconds
        self._clock.advance(seconds)


def _measure(
    myob_url: str,
    loc8_url: str,
    clock: SharedClock,
    config: dict[str, Any],
    company_file_id: str,
) -> dict[str, Any]:
    import boto3

    from chalicelib.adapters.dynamodb import create_table

    create_table(boto3.client("dynamodb"), "bench")
    paced = Paced(clock)
    container, queue_url = _container(myob_url, loc8_url, clock, paced, "single")
    operations = Operations(clock)
    operations.install()
    integration_id = _connect(container, TENANT, company_file_id, config)

    runner = _Runner(container, queue_url, clock)
    started, emulated_start = time.perf_counter(), clock.now()
    activation = runner.measure(myob_url, operations, paced, lambda: None)
    seconds = time.perf_counter() - started
    activation["emulated_seconds"] = round((clock.now() - emulated_start).total_seconds(), 1)

    # The next two scheduled syncs, nothing changed meanwhile. The first may re-read
    # what the activation wrote in its last moments; the second is the figure.
    def sync_now() -> None:
        clock.advance(SCHEDULE_SECONDS)
        container.sync_history.sync_now(TENANT, integration_id)

    first_quiet = runner.measure(myob_url, operations, paced, sync_now)
    quiet = runner.measure(myob_url, operations, paced, sync_now)
    return {
        "activation": activation,
        "first_quiet": first_quiet,
        "quiet": quiet,
        **runner.outcome(),
        "refused_at_myob": _refusals(myob_url),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "seconds": round(seconds, 1),
    }


class _Runner:
    """Runs every queued job and continuation; a continuation's delay passes on the clock
    (or in real time when `real_time`)."""

    def __init__(
        self, container: Any, queue_url: str, clock: SharedClock, *, real_time: bool = False
    ) -> None:
        import boto3

        self._container = container
        self._queue_url = queue_url
        self._clock = clock
        self._real_time = real_time
        self._sqs = boto3.client("sqs")
        self._run_ids: list[tuple[str, str]] = []

    def measure(
        self, myob_url: str, operations: Operations, paced: Paced, start: Callable[[], None]
    ) -> dict[str, Any]:
        start()
        calls_before, operations_before = _calls(myob_url), Counter(operations.counts)
        not_modified_before = Counter(operations.not_modified)
        sent_before, paced_before = len(operations.sent_at), paced.seconds
        deferrals = self.drain()
        by_endpoint = dict(sorted((_calls(myob_url) - calls_before).items()))
        return {
            "calls": sum(by_endpoint.values()),
            "by_endpoint": by_endpoint,
            "by_operation": operations.since(operations_before),
            "not_modified": dict(sorted((operations.not_modified - not_modified_before).items())),
            "deferrals": deferrals,
            "paced_seconds": round(paced.seconds - paced_before, 1),
            "busiest_second": _busiest_second(operations.sent_at[sent_before:]),
        }

    def drain(self) -> int:
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
                    wait = max(1.0, (run.deferred_until - self._clock.now()).total_seconds())
                    if self._real_time:
                        time.sleep(wait)
                    else:
                        self._clock.advance(wait)

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


# --- two workers, one API key -----------------------------------------------------------


def _concurrent(invoices: int) -> dict[str, Any]:
    """Two activations at once on the real clock, each its own worker and company file,
    drawing on the key's one shared budget. MYOB's limiter notes each call's arrival."""
    import boto3

    from chalicelib.adapters.dynamodb import create_table
    from localdev.myob import DEMO_COMPANY_FILE_ID

    with _emulators(myob_in_process=True) as (myob_url, loc8_url, emulator):
        arrivals: list[float] = []
        admit = emulator.limits.admit

        def noted_admit(api_key: str) -> None:
            arrivals.append(emulator.clock.now().timestamp())
            admit(api_key)

        emulator.limits.admit = noted_admit
        emulator.add_company_file("Loc8 Demo Plumbing (second branch)", SECOND_FILE_ID)
        create_table(boto3.client("dynamodb"), "bench")
        clock = SharedClock()  # real time: nothing is advanced
        operations = Operations(clock)
        operations.install()
        workers = []
        for n, company_file_id in enumerate((DEMO_COMPANY_FILE_ID, SECOND_FILE_ID)):
            tenant = f"{TENANT}-{n}"
            _post(f"{loc8_url}/_emulator/tenants", {"tenant_id": tenant, "seed": "demo"})
            _add_invoices(loc8_url, tenant, invoices)
            container, queue_url = _container(myob_url, loc8_url, clock, time.sleep, tenant)
            _connect(container, tenant, company_file_id, _config("push"))
            workers.append(_Runner(container, queue_url, clock, real_time=True))

        before = len(arrivals)
        deferrals: list[int] = []
        threads = [
            threading.Thread(target=lambda w=worker: deferrals.append(w.drain()))
            for worker in workers
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        seen = sorted(arrivals[before:])
        outcomes = [worker.outcome() for worker in workers]
        span = seen[-1] - seen[0] if len(seen) > 1 else 0.0
        return {
            "calls": len(seen),
            "refused_at_myob": emulator.limits.refused,
            "busiest_second": _busiest_second(seen),
            "rate_per_second": round((len(seen) - 1) / span, 2) if span else 0.0,
            "deferrals": sum(deferrals),
            "statuses": sorted({s for o in outcomes for s in o["statuses"]}),  # type: ignore[attr-defined]
            "errors": [e for o in outcomes for e in o["errors"]][:10],  # type: ignore[attr-defined]
            "sales_created": {
                company_file_id: len(emulator.records(company_file_id, "Sale/Invoice/Service"))
                + len(emulator.records(company_file_id, "Sale/Invoice/Item"))
                for company_file_id in (DEMO_COMPANY_FILE_ID, SECOND_FILE_ID)
            },
            "seconds": round(seconds, 1),
        }


if __name__ == "__main__":
    main()
