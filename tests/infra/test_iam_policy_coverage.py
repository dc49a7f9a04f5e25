"""Every AWS call the service makes is granted by some function's hand-written policy.

The policies in .chalice/ are not generated (autogen_policy is off), so a new boto3
call in chalicelib would pass every moto test and fail in AWS with AccessDenied. This
scans chalicelib for client calls; an unknown one fails here until it is mapped to its
IAM actions below and granted in the right `.chalice/policy-<stage>-<function>.json`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")

# boto3 client method -> the IAM actions it needs.
ACTIONS = {
    "get_item": {"dynamodb:GetItem"},
    "put_item": {"dynamodb:PutItem"},
    "update_item": {"dynamodb:UpdateItem"},
    "delete_item": {"dynamodb:DeleteItem"},
    "query": {"dynamodb:Query"},
    "batch_get_item": {"dynamodb:BatchGetItem"},
    "batch_write_item": {"dynamodb:BatchWriteItem"},
    # Transactions are authorised per item action; the service's are Puts.
    "transact_write_items": {"dynamodb:PutItem"},
    "send_message": {"sqs:SendMessage"},
    "send_message_batch": {"sqs:SendMessage"},
    "get_secret_value": {"secretsmanager:GetSecretValue"},
    "put_secret_value": {"secretsmanager:PutSecretValue"},
    "create_secret": {"secretsmanager:CreateSecret", "secretsmanager:TagResource"},
    "delete_secret": {"secretsmanager:DeleteSecret"},
}
# Calls that only the local stack and the tests make (creating the table).
LOCAL_ONLY = {"create_table", "get_waiter", "update_time_to_live"}
PROVIDERS = ROOT / "chalicelib" / "adapters" / "providers"
CALL = re.compile(r"client\.([a-z_]+)\(|get_paginator\(\s*\"([a-z_]+)\"")


def client_calls() -> set[str]:
    calls: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        if PROVIDERS in path.parents:
            continue  # accounting apps are reached over HTTP with requests, never through AWS
        for method, paginated in CALL.findall(path.read_text()):
            calls.add(paginated or method)
    calls.discard("get_paginator")
    # Powertools' SecretsProvider reads the service's own secrets.
    calls.add("get_secret_value")
    return calls


def granted(stage: str) -> set[str]:
    actions: set[str] = set()
    for path in (ROOT / ".chalice").glob(f"policy-{stage}-*.json"):
        for statement in json.loads(path.read_text())["Statement"]:
            action = statement["Action"]
            actions.update(action if isinstance(action, list) else [action])
    return actions


def test_every_client_call_is_mapped() -> None:
    unknown = client_calls() - ACTIONS.keys() - LOCAL_ONLY
    assert not unknown, f"map these boto3 calls to IAM actions and grant them: {unknown}"


@pytest.mark.parametrize("stage", STAGES)
def test_every_client_call_is_granted(stage: str) -> None:
    needed = set().union(*(ACTIONS[call] for call in client_calls() - LOCAL_ONLY))
    missing = needed - granted(stage)
    assert not missing, f"no .chalice/policy-{stage}-*.json grants {missing}"


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_has_a_policy_file(stage: str) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    settings = config["stages"][stage]
    assert settings["autogen_policy"] is False
    files = {
        name: function["iam_policy_file"] for name, function in settings["lambda_functions"].items()
    }
    assert set(files) == {"api_handler", "sync_worker", "sync_scheduler"}
    for name, file in files.items():
        assert file.startswith(f"policy-{stage}-"), name
        assert (ROOT / ".chalice" / file).is_file(), file
