"""Links in DynamoDB: one item keyed by the Loc8 id and a mirror keyed by the app id.

Both carry the whole link, so a page of records from either side is resolved with
one BatchGetItem per hundred records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chalicelib.adapters.batch_retry import Backoff, until_processed
from chalicelib.adapters.dynamodb import PK, SK, DynamoTable, string_attr
from chalicelib.domain.links import Link, LinkScope

BATCH_GET = 100
BATCH_WRITE = 25


class DynamoLinks:
    def __init__(self, table: DynamoTable, backoff: Backoff | None = None) -> None:
        self._table = table
        self._backoff = backoff or Backoff()

    def by_loc8(self, scope: LinkScope, domain: str, loc8_ids: Iterable[str]) -> dict[str, Link]:
        links = self._get(scope.key(domain), [f"L#{i}" for i in set(loc8_ids)])
        return {link.loc8_id: link for link in links}

    def by_app(self, scope: LinkScope, domain: str, app_ids: Iterable[str]) -> dict[str, Link]:
        links = self._get(scope.key(domain), [f"A#{i}" for i in set(app_ids)])
        return {link.app_id: link for link in links}

    def save(self, scope: LinkScope, links: Iterable[Link]) -> None:
        requests: list[dict[str, Any]] = []
        for link in links:
            document = {"S": link.model_dump_json()}
            partition = string_attr(scope.key(link.domain))
            for sort_key in (f"L#{link.loc8_id}", f"A#{link.app_id}"):
                requests.append(
                    {
                        "PutRequest": {
                            "Item": {PK: partition, SK: string_attr(sort_key), "doc": document}
                        }
                    }
                )
        for start in range(0, len(requests), BATCH_WRITE):
            batch: dict[str, Any] = {self._table.name: requests[start : start + BATCH_WRITE]}
            for _response in until_processed(
                lambda items: self._table.client.batch_write_item(RequestItems=items),
                batch,
                "UnprocessedItems",
                self._backoff,
            ):
                pass

    def _get(self, partition: str, sort_keys: list[str]) -> list[Link]:
        found: list[Link] = []
        for start in range(0, len(sort_keys), BATCH_GET):
            keys = [
                {PK: string_attr(partition), SK: string_attr(sort_key)}
                for sort_key in sort_keys[start : start + BATCH_GET]
            ]
            request: dict[str, Any] = {self._table.name: {"Keys": keys, "ConsistentRead": True}}
            for response in until_processed(
                lambda keys: self._table.client.batch_get_item(RequestItems=keys),
                request,
                "UnprocessedKeys",
                self._backoff,
            ):
                for item in response["Responses"].get(self._table.name, []):
                    found.append(Link.model_validate(json.loads(item["doc"]["S"])))
        return found
