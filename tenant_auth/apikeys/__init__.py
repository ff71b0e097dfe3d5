"""API keys: ``lg_<key id>_<secret>``, stored hashed in the tenant database."""
