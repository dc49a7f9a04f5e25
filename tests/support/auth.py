"""The Authorization header a signed-in Loc8 user sends."""

from __future__ import annotations

from localdev.dev_tokens import mint_token
from tests.support.settings import JWT_SECRET


def bearer(tenant_id: str = "tenant-a", roles: tuple[str, ...] = ("admin",), **options) -> dict:
    token = mint_token(tenant_id, list(roles), secret=JWT_SECRET, **options)
    return {"Authorization": f"Bearer {token}"}
