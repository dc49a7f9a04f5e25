"""HTTP layer: Chalice blueprints that parse, authorise, call one service, answer."""
