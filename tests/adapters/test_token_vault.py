"""Token sets in Secrets Manager (moto): one secret per integration, under the prefix."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from chalicelib.adapters.token_vault import SecretsManagerTokenVault
from chalicelib.domain.tokens import TokenSet

EXPIRY = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


def tokens(suffix: str) -> TokenSet:
    return TokenSet(
        access_token=f"access-{suffix}",
        refresh_token=f"refresh-{suffix}",
        expires_at=EXPIRY,
        scopes=["offline_access", "accounting.settings"],
    )


def test_put_then_get_round_trips_and_overwrites(aws):
    vault = SecretsManagerTokenVault("loc8/tokens")
    vault.put("t1", "int_1", tokens("one"))
    vault.put("t1", "int_1", tokens("two"))
    stored = vault.get("t1", "int_1")
    assert stored == tokens("two")
    names = [s["Name"] for s in boto3.client("secretsmanager").list_secrets()["SecretList"]]
    assert names == ["loc8/tokens/t1/int_1"]


def test_a_missing_secret_reads_as_none(aws):
    assert SecretsManagerTokenVault("loc8/tokens").get("t1", "nope") is None


def test_delete_removes_at_once_and_tolerates_missing(aws):
    vault = SecretsManagerTokenVault("loc8/tokens/")
    vault.put("t1", "int_1", tokens("one"))
    vault.delete("t1", "int_1")
    vault.delete("t1", "int_1")
    assert vault.get("t1", "int_1") is None
    vault.put("t1", "int_1", tokens("again"))
    assert vault.get("t1", "int_1") == tokens("again")


def test_secrets_use_the_configured_kms_key(aws):
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    SecretsManagerTokenVault("loc8/tokens", kms_key_id=key_id).put("t1", "int_1", tokens("k"))
    described = boto3.client("secretsmanager").describe_secret(SecretId="loc8/tokens/t1/int_1")
    assert described["KmsKeyId"] == key_id


def test_token_reprs_never_show_the_tokens():
    shown = repr(tokens("visible")) + str(tokens("visible"))
    assert "access-visible" not in shown
    assert "refresh-visible" not in shown
