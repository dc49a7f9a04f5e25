"""Schemathesis fuzzes every operation in docs/openapi.yaml through the real Chalice routing.

Bounded and repeatable: a fixed number of examples per operation, role and generation
mode (valid and invalid data), derandomized, no example database. AWS is moto, the
accounting app and Loc8 core are fakes; no request leaves the process. For an admin and
for a viewer token it asserts: no response is a 5xx, every 4xx is problem+json, and every
response is one docs/openapi.yaml allows (schemathesis's conformance checks and the
suite's own openapi-core validator). FUZZ_EXAMPLES=60 runs a deeper search by hand.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

import pytest
import schemathesis
from chalice.test import Client
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.auth import bearer
from tests.support.chalice_wsgi import as_wsgi
from tests.support.config import CALLOUT, LABOUR, valid_config
from tests.support.consent import connect
from tests.support.fakes import FakeLoc8, loc8_line_item
from tests.support.openapi_contract import SPEC_PATH, response_errors

SEED = 20261201
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))  # per operation, role and generation mode
ROLES = {"admin": ("admin",), "viewer": ("technician",)}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Seeded:
    """Real ids, so that half of the generated requests reach a stored record."""

    integration_id: str
    run_id: str
    calls: Iterator[int] = field(default_factory=count)

    def aim(self, case: schemathesis.Case) -> None:
        if next(self.calls) % 2:
            return
        for name, value in (("integration_id", self.integration_id), ("run_id", self.run_id)):
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = value


@pytest.fixture
def seeded(api, fake_app, container) -> Seeded:
    container.__dict__["loc8_api"] = FakeLoc8(
        line_items={
            "tenant-a": [
                loc8_line_item(LABOUR, "LAB-STD", "Labour - standard rate"),
                loc8_line_item(CALLOUT, "CALLOUT", "Call-out fee"),
            ]
        }
    )
    integration_id = connect(api, fake_app)["added"]["id"]
    saved = api.http.put(
        f"/v1/integrations/{integration_id}/config",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps(valid_config()),
    )
    assert saved.status_code == 200, saved.body
    run = api.http.post(f"/v1/integrations/{integration_id}/sync", headers=bearer())
    assert run.status_code == 202, run.body
    return Seeded(integration_id, run.json_body["run_id"])


def problem_json_for_every_4xx(
    _ctx: schemathesis.CheckContext, response: schemathesis.Response, _case: schemathesis.Case
) -> bool | None:
    if 400 <= response.status_code < 500:
        (content_type,) = response.headers.get("content-type", [""])
        assert content_type.split(";")[0] == "application/problem+json", (
            f"{response.status_code} answered as {content_type!r}"
        )
    return None


@dataclass
class Fuzzer:
    wsgi_app: object
    seeded: Seeded
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def run(self, operation: schemathesis.APIOperation, role: str, mode: GenerationMode) -> None:
        token = bearer("tenant-a", roles=ROLES[role])

        @seed(SEED)
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case: schemathesis.Case) -> None:
            self.seeded.aim(case)
            response = case.call(app=self.wsgi_app, headers=token)
            self.statuses[response.status_code] += 1
            where = f"{role} {mode.value} {case.method.upper()} {case.formatted_path}"
            try:
                case.validate_response(
                    response,
                    checks=CHECKS,
                    additional_checks=[problem_json_for_every_4xx],
                    headers=token,
                )
            except FailureGroup as failure:
                self.failures.append(f"{where}: {str(failure)[:800]}")
            contract = response_errors(
                case.method, response.request.path_url, _as_chalice(response), token
            )
            self.failures.extend(f"{where}: {error}" for error in contract)

        try:
            exercise()
        except Unsatisfiable:
            # Nothing of the operation can be invalid (no parameters, no body).
            assert mode is GenerationMode.NEGATIVE, operation.label


def test_fuzzing_the_contract_finds_no_5xx_and_no_nonconforming_answer(container, seeded):
    from app import app

    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    started = time.monotonic()
    with Client(app, stage_name="local") as client:
        fuzzer = Fuzzer(as_wsgi(client.http), seeded)
        for result in schema.get_all_operations():
            for role in ROLES:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    fuzzer.run(result.ok(), role, mode)
    seconds = time.monotonic() - started
    sent = fuzzer.statuses.total()
    by_status = sorted(fuzzer.statuses.items())
    print(f"schemathesis: {sent} requests in {seconds:.1f} s, by status {by_status}")
    assert sent >= 200
    assert not fuzzer.failures, (
        f"{len(fuzzer.failures)} of {sent} answers broke the contract:\n"
        + "\n".join(fuzzer.failures[:25])
    )


def _as_chalice(response: schemathesis.Response):
    from chalice.test import HTTPResponse

    return HTTPResponse(
        body=response.content,
        headers={name: ", ".join(values) for name, values in response.headers.items()},
        status_code=response.status_code,
    )
