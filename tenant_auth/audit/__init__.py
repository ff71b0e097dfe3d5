"""The append-only audit log in each tenant database."""
