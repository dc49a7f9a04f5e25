"""Names cut to what an app can hold, without losing Loc8's longer original."""

from __future__ import annotations


def name_from_app(app_name: str, loc8_name: str | None, max_length: int) -> str:
    """The Loc8 name for a name read from the app: a longer Loc8 name that the app
    only cut short is kept whole; anything else is the app's edit and is taken."""
    if loc8_name is not None and len(loc8_name) > max_length and loc8_name.startswith(app_name):
        return loc8_name
    return app_name
