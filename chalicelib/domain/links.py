"""Links: which Loc8 record is which app record, and what each looked like when synced.

Links belong to the (tenant, app, organisation) rather than to one integration, so
disconnecting and reconnecting the same organisation finds them again and nothing
is duplicated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import AwareDatetime, BaseModel


@dataclass(frozen=True)
class LinkScope:
    tenant_id: str
    app: str
    organisation_id: str

    def key(self, domain: str) -> str:
        return f"LINKS#{self.tenant_id}#{self.app}#{self.organisation_id}#{domain}"


class Link(BaseModel):
    domain: str
    loc8_id: str
    app_id: str
    loc8_fingerprint: str | None = None
    app_fingerprint: str | None = None
    synced_at: AwareDatetime


def fingerprint(fields: dict[str, Any]) -> str:
    """A stable digest of the fields a sync compares, so unchanged records cost nothing."""
    canonical = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
