"""Use cases: each public method is one thing a user or a schedule asks for."""
