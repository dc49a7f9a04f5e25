"""The success envelope every Accounting response has:
``{"Id", "Status": "OK", "ProviderName", "DateTimeUTC", ["pagination"], "<Collection>": [...]}``."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from flask import Response

from localdev.xero.accounting.dates import ms_timestamp
from localdev.xero.accounting.problems import JSON_CONTENT_TYPE


def envelope(
    collection: str,
    elements: list[dict[str, Any]],
    *,
    now: datetime,
    provider_name: str,
    pagination: dict[str, int] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": provider_name,
        "DateTimeUTC": ms_timestamp(now),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[collection] = elements
    return Response(
        json.dumps(body, separators=(",", ":")), status=200, content_type=JSON_CONTENT_TYPE
    )
