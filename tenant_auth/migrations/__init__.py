"""Schema migrations for the registry and for every tenant database."""
