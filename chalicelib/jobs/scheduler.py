"""EventBridge schedule → enqueue one sync job per ACTIVE integration."""

from __future__ import annotations

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.bootstrap import container

scheduler = Blueprint(__name__)

# Deployed stages may change the rate in the merge template (infra/); 15 minutes is
# the product's default cadence.
SCHEDULE = Rate(15, unit=Rate.MINUTES)


@scheduler.schedule(SCHEDULE, name="sync_scheduler")
def enqueue_sync_jobs(event: CloudWatchEvent) -> dict[str, int]:
    result = container().fan_out.run()
    return dict(result.__dict__)
