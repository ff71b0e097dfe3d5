"""Who is calling: API keys for machines, sessions for people, signed links for Bonzo."""
