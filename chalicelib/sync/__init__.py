"""Domain syncers: each keeps one kind of record in step between Loc8 and the app."""
