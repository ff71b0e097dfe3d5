"""The tenant registry: slug -> PostgreSQL tenant id, identity database, OIDC settings."""
