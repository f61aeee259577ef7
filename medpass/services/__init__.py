"""Use cases: each takes a session (and adapters and `now`), calls the domain, and commits once."""
