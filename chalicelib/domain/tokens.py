"""An OAuth token set as the service keeps it (only ever in the token vault)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, SecretStr


class TokenSet(BaseModel):
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: AwareDatetime
    scopes: list[str] = []

    def expires_within(self, now: datetime, margin: timedelta) -> bool:
        return self.expires_at - now <= margin

    def to_secret_payload(self) -> dict[str, object]:
        return {
            "access_token": self.access_token.get_secret_value(),
            "refresh_token": self.refresh_token.get_secret_value() if self.refresh_token else None,
            "expires_at": self.expires_at.isoformat(),
            "scopes": self.scopes,
        }
