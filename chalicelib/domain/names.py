"""Names cut to what an app can hold, without losing Loc8's longer original."""

from __future__ import annotations


def name_from_app(app_name: str, loc8_name: str | None, max_length: int) -> str:
    """The Loc8 name for a name read from the app: when the app holds exactly what we
    sent it (Loc8's longer name cut to the app's limit), Loc8's whole name is kept;
    anything else is an edit made in the app, and is taken."""
    cut_by_the_app = (
        loc8_name is not None
        and len(loc8_name) > max_length
        and loc8_name[:max_length].rstrip() == app_name.rstrip()
    )
    return loc8_name if cut_by_the_app and loc8_name is not None else app_name
