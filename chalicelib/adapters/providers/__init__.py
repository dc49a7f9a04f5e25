"""One folder per accounting app; `registry` picks the one an integration uses."""
