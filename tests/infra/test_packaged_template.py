"""`chalice package --merge-template infra/<stage>.json` for dev and prod, then checks.

Each stage is packaged once per run with the command `make package` runs (deployment zip
included, so a dependency without a Lambda-compatible wheel fails here), cfn-lint validates
both templates, and the tests below pin what the deployment relies on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.adapters.dynamodb import TTL_ATTRIBUTE, table_definition
from chalicelib.api.cors import EXPOSED_HEADERS
from chalicelib.api.gateway_problems import GATEWAY_PROBLEMS
from chalicelib.api.problems import PROBLEM_CONTENT_TYPE
from chalicelib.jobs.worker import MAX_RECEIVES
from chalicelib.observability import SERVICE
from chalicelib.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAGES = ("dev", "prod")
FUNCTIONS = {
    "APIHandler": "api_handler",
    "SyncWorker": "sync_worker",
    "SyncScheduler": "sync_scheduler",
}
ROLES = {
    "APIHandler": "ApiHandlerRole",
    "SyncWorker": "SyncWorkerRole",
    "SyncScheduler": "SyncSchedulerRole",
}
GUARDED_SERVICES = ("dynamodb", "secretsmanager", "kms", "sqs", "logs")


def run(command: list[str | Path], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "AWS_PROFILE"}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return subprocess.run(  # noqa: S603 - our own venv's tools
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage's sam.json, packaged as `make package` does.

    From a copy of the project: Chalice caches a 27 MB dependency build per hash of the
    sources in <project>/.chalice/deployments, which would pile up in the work tree.
    """
    base = tmp_path_factory.mktemp("package")
    project = base / "project"
    ignore = shutil.ignore_patterns("__pycache__", "deployments")
    project.mkdir()
    for name in ("app.py", "requirements.txt"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("chalicelib", ".chalice"):
        shutil.copytree(ROOT / name, project / name, ignore=ignore)
    paths = {}
    for stage in STAGES:
        out = project / "build" / stage
        merge = ROOT / "infra" / f"{stage}.json"
        result = run(
            [
                BIN / "chalice",
                "--project-dir",
                project,
                "package",
                "--stage",
                stage,
                "--merge-template",
                merge,
                out,
            ],
            cwd=project,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # The deployment zip was built (dependencies included), then only the template is kept.
        assert (out / "deployment.zip").stat().st_size > 1_000_000
        paths[stage] = base / f"{stage}-sam.json"
        shutil.copy2(out / "sam.json", paths[stage])
    shutil.rmtree(project)
    return paths


@pytest.fixture(scope="module", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def template(stage: str, packaged: dict[str, Path]) -> dict[str, Any]:
    return json.loads(packaged[stage].read_text())


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return resources[logical_id]["Properties"]


def env(resources: dict[str, Any], function: str) -> dict[str, Any]:
    return props(resources, function)["Environment"]["Variables"]


def statements(resources: dict[str, Any], role: str) -> list[dict[str, Any]]:
    (policy,) = props(resources, role)["Policies"]
    return policy["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(resources: dict[str, Any], role: str) -> set[str]:
    return {action for s in statements(resources, role) for action in as_list(s["Action"])}


# -- the package is valid ---------------------------------------------------------------


def test_cfn_lint_accepts_the_packaged_templates(packaged: dict[str, Path]) -> None:
    result = run([BIN / "cfn-lint", *packaged.values()])
    assert result.returncode == 0, result.stdout + result.stderr


def test_merge_template_only_overrides_resources_chalice_generates(
    stage: str, resources: dict[str, Any]
) -> None:
    merge = json.loads((ROOT / "infra" / f"{stage}.json").read_text())
    for logical_id, resource in merge["Resources"].items():
        if "Type" not in resource:
            # A typo here would add a resource with no type instead of changing one.
            assert "Type" in resources[logical_id], logical_id
            assert resources[logical_id]["Type"].startswith("AWS::"), logical_id


# -- worker, queue, dead letters --------------------------------------------------------


def test_worker_event_source_reports_batch_item_failures(resources: dict[str, Any]) -> None:
    source = props(resources, "SyncWorker")["Events"]["SyncWorkerSqsEventSource"]
    assert source["Type"] == "SQS"
    properties = source["Properties"]
    assert properties["Queue"] == {"Fn::Sub": "${SyncJobsQueue.Arn}"}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["ScalingConfig"]["MaximumConcurrency"] >= 2
    assert properties["BatchSize"] >= 1


def test_queue_redrives_to_the_dlq_after_the_workers_last_receive(
    resources: dict[str, Any],
) -> None:
    queue = props(resources, "SyncJobsQueue")
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["SyncJobsDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_RECEIVES,
    }
    assert MAX_RECEIVES == 5
    dlq = props(resources, "SyncJobsDeadLetterQueue")
    # A standard queue keeps a message's first enqueue time in the DLQ.
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


def test_visibility_timeout_is_at_least_six_worker_timeouts(resources: dict[str, Any]) -> None:
    worker_timeout = props(resources, "SyncWorker")["Timeout"]
    # Short, so a message whose worker died is given out again within half an hour.
    assert worker_timeout == 300
    assert props(resources, "SyncJobsQueue")["VisibilityTimeout"] == 6 * worker_timeout


def test_one_delivery_ends_before_the_worker_times_out(resources: dict[str, Any]) -> None:
    from chalicelib.settings import Settings

    budget = Settings.model_fields["sync_delivery_budget_seconds"].default
    variables = props(resources, "SyncWorker")["Environment"]["Variables"]
    assert "SYNC_DELIVERY_BUDGET_SECONDS" not in variables
    assert budget < props(resources, "SyncWorker")["Timeout"]


def test_function_sizes(resources: dict[str, Any]) -> None:
    # API Gateway gives up after 29 s, so the API handler never needs longer.
    assert props(resources, "APIHandler")["Timeout"] <= 29
    assert props(resources, "SyncWorker")["MemorySize"] >= 1024
    assert props(resources, "SyncScheduler")["Timeout"] <= 300
    for function in FUNCTIONS:
        assert props(resources, function)["Tracing"] == "Active"


def test_schedule_is_a_rate(resources: dict[str, Any]) -> None:
    event = props(resources, "SyncScheduler")["Events"]["SyncSchedulerEvent"]
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"].startswith("rate(")


# -- table, key, environment ------------------------------------------------------------


def test_table_matches_table_definition(stage: str, resources: dict[str, Any]) -> None:
    table = resources["IntegrationsTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    properties = table["Properties"]
    expected = table_definition(f"loc8-integrations-{stage}")
    assert {key: properties[key] for key in expected} == expected
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert TTL_ATTRIBUTE == "expires_at_epoch"
    if stage == "prod":
        assert table["DeletionPolicy"] == "Retain"
        assert properties["DeletionProtectionEnabled"] is True


def test_token_key_rotates_and_is_used_only_through_secrets_manager(
    resources: dict[str, Any],
) -> None:
    key = props(resources, "TokenKey")
    assert key["EnableKeyRotation"] is True
    use = [s for s in key["KeyPolicy"]["Statement"] if "kms:Decrypt" in as_list(s["Action"])]
    assert use
    for statement in use:
        assert "kms:ViaService" in statement["Condition"]["StringEquals"]


def test_functions_get_table_queue_and_key_from_the_template(
    resources: dict[str, Any],
) -> None:
    settings_fields = Settings.environment_variables()
    for function in FUNCTIONS:
        variables = env(resources, function)
        assert variables["TABLE_NAME"] == {"Ref": "IntegrationsTable"}
        assert variables["SYNC_QUEUE_URL"] == {"Ref": "SyncJobsQueue"}
        assert variables["TOKEN_KMS_KEY_ID"] == {"Fn::GetAtt": ["TokenKey", "Arn"]}
        assert variables["XERO_CLIENT_ID"] == {"Ref": "XeroClientId"}
        assert variables["QUICKBOOKS_CLIENT_ID"] == {"Ref": "QuickBooksClientId"}
        assert variables["MYOB_CLIENT_ID"] == {"Ref": "MyobClientId"}
        unknown = {
            name
            for name in variables
            if name not in settings_fields and not name.startswith("POWERTOOLS_")
        }
        assert not unknown, f"{function}: not read by any settings model: {unknown}"


def test_stage_urls_form_the_allow_list(
    stage: str, resources: dict[str, Any], config: dict[str, Any]
) -> None:
    variables = config["stages"][stage]["environment_variables"]
    origins = variables["CORS_ALLOWED_ORIGINS"].replace(",", " ").split()
    back = urlsplit(variables["WEB_RETURN_URL"])
    # The callback only ever redirects to this one configured URL; it must be one of
    # the stage's web origins, over https.
    assert back.scheme == "https"
    assert f"{back.scheme}://{back.netloc}" in origins
    assert all(origin.startswith("https://") for origin in origins)
    for app in ("xero", "quickbooks", "myob"):
        callback = urlsplit(variables[f"{app.upper()}_REDIRECT_URI"])
        assert callback.scheme == "https"
        assert callback.netloc == props(resources, "ApiDomain")["DomainName"]
        assert callback.path == f"/v1/oauth/{app}/callback"
    assert variables.get("JWT_SECRET_NAME") or variables.get("JWT_JWKS_URL")


def test_api_stage_is_throttled(resources: dict[str, Any]) -> None:
    (settings,) = props(resources, "RestAPI")["MethodSettings"]
    assert settings["ResourcePath"] == "/*"
    assert settings["HttpMethod"] == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]


def test_every_gateway_response_is_a_problem_with_the_stages_cors(
    stage: str, resources: dict[str, Any], config: dict[str, Any]
) -> None:
    responses = props(resources, "RestAPI")["GatewayResponses"]
    assert set(responses) == set(GATEWAY_PROBLEMS)
    origins = config["stages"][stage]["environment_variables"]["CORS_ALLOWED_ORIGINS"]
    # A gateway response's headers are fixed strings: it can name one origin, not echo one.
    (origin,) = origins.replace(",", " ").split()
    for response_type, problem in GATEWAY_PROBLEMS.items():
        response = responses[response_type]
        assert response["StatusCode"] == str(problem.status), response_type
        (template,) = response["ResponseTemplates"].values()
        assert json.loads(template) == problem.body(), response_type
        assert response["ResponseParameters"]["Headers"] == {
            "Content-Type": f"'{PROBLEM_CONTENT_TYPE}'",
            "Access-Control-Allow-Origin": f"'{origin}'",
            "Access-Control-Expose-Headers": f"'{EXPOSED_HEADERS}'",
            "Vary": "'Origin'",
        }, response_type
    # An unknown path (API Gateway's 403 "Missing Authentication Token") is a 404.
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


# -- least privilege --------------------------------------------------------------------


def test_each_function_has_its_own_role(resources: dict[str, Any]) -> None:
    for function, role in ROLES.items():
        assert props(resources, function)["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        assert resources[role]["Type"] == "AWS::IAM::Role"


def test_no_wildcard_actions_or_resources(stage: str, resources: dict[str, Any]) -> None:
    for function, role in ROLES.items():
        for statement in statements(resources, role):
            assert statement["Effect"] == "Allow"
            actions = as_list(statement["Action"])
            assert all("*" not in action for action in actions), (role, actions)
            services = {action.split(":")[0] for action in actions}
            if statement["Resource"] == "*":
                # X-Ray has no resource-level permissions; nothing else may use "*".
                assert services == {"xray"}, (role, statement)
                continue
            assert services <= set(GUARDED_SERVICES), (role, services)
            for resource in as_list(statement["Resource"]):
                text = json.dumps(resource)
                if "secretsmanager" in services:
                    assert f":secret:loc8-integrations/{stage}/" in text, (role, text)
                if "logs" in services:
                    assert f"/aws/lambda/loc8-integrations-{stage}-{FUNCTIONS[function]}:" in text
                if "dynamodb" in services:
                    assert "IntegrationsTable" in text, (role, text)
                if "sqs" in services:
                    assert resource == {"Fn::GetAtt": ["SyncJobsQueue", "Arn"]}
                if "kms" in services:
                    assert resource == {"Fn::GetAtt": ["TokenKey", "Arn"]}


def test_kms_is_granted_only_for_the_token_secrets(stage: str, resources: dict[str, Any]) -> None:
    for role in ROLES.values():
        kms = [s for s in statements(resources, role) if s["Action"][0].startswith("kms:")]
        touches_tokens = any(
            "/tokens/" in json.dumps(s["Resource"])
            for s in statements(resources, role)
            if s["Action"][0].startswith("secretsmanager:")
        )
        assert bool(kms) == touches_tokens, role
        for statement in kms:
            condition = statement["Condition"]
            assert condition["StringEquals"]["kms:ViaService"] == {
                "Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"
            }
            assert f"loc8-integrations/{stage}/tokens/" in json.dumps(
                condition["StringLike"]["kms:EncryptionContext:SecretARN"]
            )


def test_roles_grant_what_each_function_calls(resources: dict[str, Any]) -> None:
    api = granted(resources, "ApiHandlerRole")
    worker = granted(resources, "SyncWorkerRole")
    scheduler = granted(resources, "SyncSchedulerRole")
    assert {"secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "sqs:SendMessage"} <= api
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= worker
    assert {"dynamodb:Query", "sqs:SendMessage"} == {
        a for a in scheduler if not a.startswith(("logs:", "xray:"))
    }
    # Only the API adds and removes token secrets; the worker rotates existing ones.
    assert not {"secretsmanager:CreateSecret", "secretsmanager:DeleteSecret"} & worker
    (index,) = [
        s for s in statements(resources, "SyncSchedulerRole") if s["Action"] == ["dynamodb:Query"]
    ]
    assert index["Resource"] == {"Fn::Sub": "${IntegrationsTable.Arn}/index/GSI1"}


# -- alarms and outputs -----------------------------------------------------------------


def test_alarms_notify_the_alarm_topic(resources: dict[str, Any]) -> None:
    assert resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    alarms = {
        logical_id: resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }
    by_metric = {
        (a["Namespace"], a["MetricName"], json.dumps(a["Dimensions"])) for a in alarms.values()
    }
    dlq = [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["SyncJobsDeadLetterQueue", "QueueName"]}}]
    worker = [{"Name": "FunctionName", "Value": {"Ref": "SyncWorker"}}]
    service = [{"Name": "service", "Value": SERVICE}]
    for expected in (
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq),
        ("AWS/Lambda", "Errors", worker),
        ("AWS/Lambda", "Throttles", worker),
        ("Loc8Integrations", "SyncDeferrals", service),
    ):
        namespace, metric, dimensions = expected
        assert (namespace, metric, json.dumps(dimensions)) in by_metric, expected
    for logical_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["TableName"]["Value"] == {"Ref": "IntegrationsTable"}
    assert outputs["ApiUrl"]["Value"] == {"Fn::Sub": "https://${ApiDomain}"}
    assert "EndpointURL" in outputs
    for name in ("ApiDomainTarget", "SyncJobsDeadLetterQueueUrl", "AlarmTopicArn", "TokenKeyArn"):
        assert name in outputs, name
