"""The ETags of MYOB's recent answers, so a read of a list that has not changed costs
a `304 Not Modified` instead of the list again.

Kept per process (a warm Lambda keeps it across jobs) and keyed by the exact URL,
company file included, so one company file's answer is never shown for another's;
MYOB checks the caller's token before it answers 304, so a cached answer is only
reused for a caller MYOB lets read it. Only small answers are kept (a quiet sync's
reads), and only so many: memory stays bounded whatever a job reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 256
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Remembered:
    etag: str
    body: Any


class EtagCache:
    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_body_bytes: int = MAX_BODY_BYTES
    ) -> None:
        self._max_entries = max_entries
        self._max_body_bytes = max_body_bytes
        self._entries: OrderedDict[str, Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> Remembered | None:
        with self._lock:
            found = self._entries.get(url)
            if found is not None:
                self._entries.move_to_end(url)
            return found

    def put(self, url: str, etag: str | None, body: Any, size: int) -> None:
        with self._lock:
            if not etag or size > self._max_body_bytes:
                self._entries.pop(url, None)
                return
            self._entries[url] = Remembered(etag, body)
            self._entries.move_to_end(url)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PROCESS_ETAGS = EtagCache()
