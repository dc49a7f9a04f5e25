"""The last config of a tenant's app and organisation, kept when it disconnects: found
again by the same tenant for the same app and organisation only, the latest one wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb import DynamoTable
from chalicelib.adapters.integration_repo import DynamoIntegrationRepo
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.integration import Integration, Organisation
from tests.support.settings import TABLE

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ORG = Organisation(id="org-1", name="Harbour City")
CONFIG = {"sync": {"invoices": True}, "default_account_code": "260"}


@pytest.fixture
def repo(aws) -> DynamoIntegrationRepo:
    return DynamoIntegrationRepo(DynamoTable(TABLE))


def configured(
    repo: DynamoIntegrationRepo,
    tenant: str = "t1",
    organisation: Organisation = ORG,
    config: dict | None = None,
) -> Integration:
    integration = Integration(tenant_id=tenant, app="xero", created_at=NOW, updated_at=NOW)
    repo.add(integration)
    integration.grant([organisation], NOW)
    integration.apply_config(config or CONFIG, NOW)
    repo.save(integration)
    return integration


def disconnect(repo: DynamoIntegrationRepo, integration: Integration, minutes: int = 1) -> None:
    integration.disconnect(NOW + timedelta(minutes=minutes))
    repo.save(integration)


def test_a_disconnected_config_is_found_for_its_tenant_app_and_organisation(repo):
    integration = configured(repo)
    assert repo.last_configured("t1", "xero", ORG.id) is None  # still connected
    disconnect(repo, integration)

    found = repo.last_configured("t1", "xero", ORG.id)

    assert found is not None
    assert found.id == integration.id
    assert found.config == CONFIG


def test_another_tenant_app_or_organisation_finds_nothing(repo):
    disconnect(repo, configured(repo))

    assert repo.last_configured("t2", "xero", ORG.id) is None
    assert repo.last_configured("t1", "quickbooks", ORG.id) is None
    assert repo.last_configured("t1", "xero", "org-2") is None


def test_the_latest_disconnect_wins(repo):
    disconnect(repo, configured(repo))
    later = configured(repo, config={**CONFIG, "default_account_code": "200"})
    disconnect(repo, later, minutes=5)

    found = repo.last_configured("t1", "xero", ORG.id)

    assert found is not None
    assert found.id == later.id


def test_an_integration_never_configured_leaves_the_last_config_in_place(repo):
    remembered = configured(repo)
    disconnect(repo, remembered)
    unconfigured = Integration(tenant_id="t1", app="xero", created_at=NOW, updated_at=NOW)
    repo.add(unconfigured)
    unconfigured.grant([ORG], NOW)
    repo.save(unconfigured)
    disconnect(repo, unconfigured)

    found = repo.last_configured("t1", "xero", ORG.id)

    assert found is not None
    assert found.id == remembered.id


def test_a_stale_disconnect_remembers_nothing_and_changes_nothing(repo):
    integration = configured(repo)
    stale = integration.model_copy(deep=True)
    disconnect(repo, integration)
    stale.config = {**CONFIG, "default_account_code": "999"}
    stale.disconnect(NOW)

    with pytest.raises(ConcurrentUpdate):
        repo.save(stale)

    found = repo.last_configured("t1", "xero", ORG.id)
    assert found is not None
    assert found.config == CONFIG
