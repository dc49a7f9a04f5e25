"""The redirect URIs an emulated app registration accepts: exact http(s) URLs only."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def exact_redirect_uris(
    uris: Iterable[str], *, app: str, most: int | None = None
) -> tuple[str, ...]:
    """The registered URIs, stripped and without repeats; a wildcard, another scheme, a
    missing host or a fragment is refused (the stricter reading every app's docs allow),
    and so is more than `most` where `app` caps them."""
    cleaned = tuple(dict.fromkeys(uri.strip() for uri in uris if uri.strip()))
    if not cleaned:
        raise ValueError("at least one redirect URI is required")
    if most is not None and len(cleaned) > most:
        raise ValueError(f"{app} allows at most {most} redirect URIs")
    for uri in cleaned:
        parts = urlsplit(uri)
        if "*" in uri or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"redirect URI must be an exact http(s) URL: {uri!r}")
        if parts.fragment:
            raise ValueError(f"redirect URI must not contain a fragment: {uri!r}")
    return cleaned
