"""The local stack: moto server, the emulators, the web client and `chalice local`.

Each part runs as its own child process and talks to the others over real HTTP,
configured only through environment variables, exactly as in AWS. `make run` and
the end-to-end tests both use `LocalStack`.

`start()` refuses ports that something already holds (`ports_in_use`), and every child
ends with the process that started it, even one killed outright (`supervised`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests

from chalicelib.adapters.dynamodb import create_table
from localdev.app_emulators import APP_EMULATORS
from localdev.dev_tokens import LOCAL_ISSUER, LOCAL_JWT_SECRET
from localdev.loc8.auth import DEFAULT_SERVICE_TOKEN as LOC8_SERVICE_TOKEN
from localdev.ports_in_use import busy_ports, explain

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
REGION = "ap-southeast-2"
TABLE_NAME = "loc8-integrations-local"
SYNC_QUEUE = "loc8-integrations-local-sync-jobs"
SYNC_DLQ = "loc8-integrations-local-sync-jobs-dlq"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
# The children that call the others (moto, the emulators): they stop first.
CALLERS = frozenset({"pump", "api", "web"})
# The Loc8 tenant the local web client acts for: it gets a fresh admin token for it.
WEB_TENANT = "demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _port(env_name: str, default: int) -> int:
    value = os.environ.get(env_name)
    return int(value) if value else default


# The variable that sets each port of the stack's own parts, and its default; each app
# emulator's comes from its entry (`localdev.app_emulators`).
PORT_VARIABLES = {
    "api": ("API_PORT", 8000),
    "web": ("WEB_PORT", 8100),
    "loc8": ("LOC8_EMULATOR_PORT", 8102),
    "moto": ("MOTO_PORT", 8105),
}
APP_PORT_VARIABLES = {
    entry.key: (entry.port_variable, entry.default_port) for entry in APP_EMULATORS
}


def default_ports() -> dict[str, int]:
    """Every port variable of the stack, the apps' emulators' included, with its default."""
    return dict([*PORT_VARIABLES.values(), *APP_PORT_VARIABLES.values()])


@dataclass(frozen=True)
class Ports:
    api: int
    loc8: int
    moto: int
    web: int
    # Each app emulator's port, by the app's catalogue key.
    apps: Mapping[str, int]

    @classmethod
    def from_env(cls) -> Ports:
        chosen = {part: _port(name, default) for part, (name, default) in PORT_VARIABLES.items()}
        apps = {key: _port(name, default) for key, (name, default) in APP_PORT_VARIABLES.items()}
        return cls(**chosen, apps=apps)

    @classmethod
    def free(cls) -> Ports:
        return cls(
            api=free_port(),
            loc8=free_port(),
            moto=free_port(),
            web=free_port(),
            apps={entry.key: free_port() for entry in APP_EMULATORS},
        )

    def by_variable(self) -> dict[str, int]:
        """Each port under the environment variable that sets it."""
        return {
            **{env_name: getattr(self, part) for part, (env_name, _) in PORT_VARIABLES.items()},
            **{env_name: self.apps[key] for key, (env_name, _) in APP_PORT_VARIABLES.items()},
        }


class PortsInUse(RuntimeError):
    """Some port is taken: the stack would silently talk to whoever holds it."""


@dataclass
class LocalStack:
    ports: Ports
    log_dir: Path = PROJECT_ROOT / ".localdev" / "logs"
    state_signing_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    sync_queue_url: str = ""
    schedule_seconds: float = field(
        default_factory=lambda: float(os.environ.get("PUMP_SCHEDULE_SECONDS", "60"))
    )
    _children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    # (read, write): children watch the read end; the write end closes when this
    # process ends, however it ends (see localdev/supervised.py).
    _runner_alive: tuple[int, int] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.ports.api}"

    def app_url(self, app: str) -> str:
        """Where the emulator of the app with this catalogue key listens."""
        return f"http://{HOST}:{self.ports.apps[app]}"

    @property
    def loc8_url(self) -> str:
        return f"http://{HOST}:{self.ports.loc8}"

    @property
    def moto_url(self) -> str:
        return f"http://{HOST}:{self.ports.moto}"

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.ports.web}"

    @property
    def web_client_url(self) -> str:
        """The Settings > Integrations page: the one URL a developer opens."""
        return f"{self.web_url}/integrations/"

    @property
    def return_url(self) -> str:
        return f"{self.web_url}/integrations/return"

    def aws_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
        }

    def service_env(self) -> dict[str, str]:
        """What the API process gets: the same variables a deployed stage sets."""
        return {
            **self.aws_env(),
            "STAGE": "local",
            "TABLE_NAME": TABLE_NAME,
            "SYNC_QUEUE_URL": self.sync_queue_url,
            "TOKEN_SECRET_PREFIX": "loc8-integrations/local/tokens",
            "JWT_SECRET": LOCAL_JWT_SECRET,
            "JWT_ISSUER": LOCAL_ISSUER,
            "STATE_SIGNING_SECRET": self.state_signing_secret,
            "WEB_RETURN_URL": self.return_url,
            "CORS_ALLOWED_ORIGINS": self.web_url,
            "POWERTOOLS_TRACE_DISABLED": "true",
            **self.apps_env(),
            **self.loc8_env(),
        }

    def loc8_env(self) -> dict[str, str]:
        """Loc8 core's URL and service token: the emulator and the service share them."""
        return {"LOC8_API_URL": self.loc8_url, "LOC8_API_SECRET": LOC8_SERVICE_TOKEN}

    def apps_env(self) -> dict[str, str]:
        """Every app emulator's client and URLs, as its emulator and the service read them."""
        env: dict[str, str] = {}
        for entry in APP_EMULATORS:
            env.update(entry.env(self.app_url(entry.key), self.api_url))
        return env

    def start(self) -> None:
        ports = self.ports.by_variable()
        busy = busy_ports(HOST, ports)
        if busy:
            raise PortsInUse(explain(HOST, busy, ports))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._runner_alive = os.pipe()
        try:
            # The parts that need nothing start together; the API and the pump need
            # the queue created on moto first.
            self._spawn("moto", ["-m", "moto.server", "-H", HOST, "-p", str(self.ports.moto)], {})
            for entry in APP_EMULATORS:
                self._spawn(
                    entry.key,
                    ["-m", entry.module, "--host", HOST, "--port", str(self.ports.apps[entry.key])],
                    entry.env(self.app_url(entry.key), self.api_url),
                )
            self._spawn(
                "loc8",
                [
                    *("-m", "localdev.loc8", "--host", HOST, "--port", str(self.ports.loc8)),
                    "--seed-demo",
                ],
                self.loc8_env(),
            )
            self._spawn(
                "web",
                [
                    *("-m", "localdev.web", "--host", HOST, "--port", str(self.ports.web)),
                    *("--api-url", self.api_url, "--tenant", WEB_TENANT),
                ],
                {},
            )
            self._wait_http("moto", f"{self.moto_url}/moto-api/")
            self._create_aws_resources()
            chalice = Path(sys.executable).with_name("chalice")
            self._spawn(
                "api",
                [
                    *(str(chalice), "local", "--host", HOST, "--port", str(self.ports.api)),
                    *("--stage", "local", "--no-autoreload"),
                ],
                self.service_env(),
            )
            self._spawn(
                "pump",
                ["-m", "localdev.pump", "--schedule-seconds", str(self.schedule_seconds)],
                self.service_env(),
            )
            for entry in APP_EMULATORS:
                self._wait_http(entry.key, f"{self.app_url(entry.key)}{entry.ready_path}")
            self._wait_http("loc8", f"{self.loc8_url}/_emulator/tenants")
            self._wait_http("web", self.web_client_url)
            self._wait_http("api", f"{self.api_url}/v1/health")
            self._wait_log("pump", "Pump running")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every child and its process group, callers first (`stop_in_order`)."""
        stop_in_order(self._children, STOP_TIMEOUT_SECONDS)
        self._children.clear()
        if self._runner_alive is not None:
            for fd in self._runner_alive:
                os.close(fd)
            self._runner_alive = None

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}-{self.ports.api}.log"

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _spawn(self, name: str, target: list[str], extra_env: dict[str, str]) -> None:
        """Start `python -m localdev.supervised FD <target>`: it ends with this runner."""
        if self._runner_alive is None:
            raise RuntimeError("the stack is not starting")
        watch_fd = self._runner_alive[0]
        env = {**os.environ, **extra_env, "PYTHONUNBUFFERED": "1"}
        with self.log_path(name).open("wb") as log:
            # Each child leads its own session and process group: Ctrl-C reaches only
            # this runner, which stops the children in order, and a child's group holds
            # everything it starts, so stopping the group leaves nothing behind.
            process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    *(sys.executable, "-m", "localdev.supervised", str(watch_fd)),
                    # Request lines carry OAuth codes and states: never into a log file.
                    *("-m", "localdev.redacted_logs", *target),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(watch_fd,),
            )
        self._children.append((name, process))

    def _wait_log(self, name: str, marker: str) -> None:
        process = next(p for n, p in self._children if n == name)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}; see {self.log_path(name)}"
                )
            if marker in self.log_path(name).read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not start within {STARTUP_TIMEOUT_SECONDS:.0f} s")

    def _wait_http(self, name: str, url: str) -> None:
        process = next(p for n, p in self._children if n == name)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}; see {self.log_path(name)}"
                )
            try:
                requests.get(url, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not start within {STARTUP_TIMEOUT_SECONDS:.0f} s")

    def _create_aws_resources(self) -> None:
        session = boto3.Session(
            aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION
        )
        dynamodb = session.client("dynamodb", endpoint_url=self.moto_url)
        if TABLE_NAME not in dynamodb.list_tables()["TableNames"]:
            create_table(dynamodb, TABLE_NAME)
        sqs = session.client("sqs", endpoint_url=self.moto_url)
        dlq_url = sqs.create_queue(QueueName=SYNC_DLQ)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.sync_queue_url = sqs.create_queue(
            QueueName=SYNC_QUEUE,
            Attributes={
                # Longer than the worker's 300 s timeout, as deployed; locally no Lambda
                # retries throttled batches, so the deployed 6 x is not needed.
                "VisibilityTimeout": "360",
                "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}',
            },
        )["QueueUrl"]


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    # The child leads the group, so its pid names it; the kernel does not reuse a pid
    # while a group of that id still has members.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def stop_in_order(
    children: list[tuple[str, subprocess.Popen[bytes]]], timeout_seconds: float
) -> None:
    """TERM the callers' process groups (grandchildren too) and wait for them to exit,
    then the servers they call; KILL whatever is still there after timeout_seconds.

    Stopped all at once, moto would go while the pump is mid-request and the pump's log
    would end in a connection error's traceback.
    """
    callers = [child for child in children if child[0] in CALLERS]
    called = [child for child in children if child[0] not in CALLERS]
    deadline = time.monotonic() + timeout_seconds
    for stage in (callers, called):
        for _name, process in reversed(stage):
            _signal_group(process, signal.SIGTERM)
        for _name, process in reversed(stage):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for _name, process in children:
        # Also whatever a child left behind in its group after it exited.
        _signal_group(process, signal.SIGKILL)
        process.wait()
