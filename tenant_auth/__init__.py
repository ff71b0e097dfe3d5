"""Tenant identity: the registry of tenants, each tenant's own libSQL database (users,
OIDC identities, API keys, resource links, audit log), secrets at rest, Turso
provisioning, and the ``leadgate`` commands for all of it.

Entry points (import from the modules; this package imports nothing, so loading
``tenant_auth.core.settings`` stays cheap):

- ``registry.registry.open_registry(settings)`` -> ``Registry``, one per process.
- ``registry.service``: ``register_tenant``, ``get_tenant``, ``configure_oidc``,
  ``set_tenant_status``, ``migrate_all_tenants``, ``rotate_database_tokens``.
- ``users.service``: ``add_user``, ``list_users``, ``deactivate_user``, ``link_identity``.
- ``apikeys.service``: ``create_api_key``, ``revoke_api_key``, ``verify_api_key``.
- ``links.service``: ``create_link``, ``revoke_link``, ``verify_link``.
- ``audit.service``: ``record_event``, ``list_events``.
- ``core.secretbox.SecretBox``; ``core.errors`` for every deliberate error.
- ``command.add_commands(cli)`` for the CLI.
"""
