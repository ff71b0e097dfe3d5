"""Users of one tenant: invitations, roles, deactivation, and linking OIDC identities."""
