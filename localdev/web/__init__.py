"""The stand-in for Loc8's web client on the local stack (the OAuth return page)."""
