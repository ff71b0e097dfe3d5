"""Turso Platform API: creating tenant databases and minting their tokens."""
