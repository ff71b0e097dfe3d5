"""Every error tenant_auth raises on purpose, in one place so the gateway maps them to
problem details (and the CLI to messages) without reaching into feature modules.

Messages are safe to show an operator: they never contain a secret, a token or a key.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ApiKeyNotFound",
    "ApiKeyRejected",
    "ApiKeyRejection",
    "ApiKeyScopeDenied",
    "DecryptionError",
    "InvalidInput",
    "LinkNotFound",
    "LinkRejected",
    "LinkRejection",
    "MigrationError",
    "SchemaOutdated",
    "SecretKeyError",
    "SignInRefusal",
    "SignInRefused",
    "StorageError",
    "TenantAlreadyRegistered",
    "TenantAuthError",
    "TenantNotFound",
    "TursoApiError",
    "TursoDatabaseExists",
    "UserAlreadyExists",
    "UserNotFound",
]


class TenantAuthError(Exception):
    """Base of every deliberate tenant_auth error."""


class InvalidInput(TenantAuthError, ValueError):
    """A value given by an operator or admin is malformed (slug, email, role, page...)."""


class SecretKeyError(TenantAuthError, ValueError):
    """LEADGATE_SECRET_KEY is missing or malformed; the message says what is expected."""


class DecryptionError(TenantAuthError):
    """A stored ciphertext cannot be opened: unknown format, a key no longer configured,
    or tampering (the authentication tag does not match)."""


class StorageError(TenantAuthError):
    """A libSQL statement failed. ``code`` is libSQL's error code, e.g. ``SQLITE_BUSY``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class MigrationError(TenantAuthError):
    """A database schema cannot be brought up to date; the message says why."""


class SchemaOutdated(TenantAuthError):
    """A tenant database is behind the code; run ``leadgate tenant migrate --all``."""


class TenantNotFound(TenantAuthError):
    pass


class TenantAlreadyRegistered(TenantAuthError):
    pass


class UserNotFound(TenantAuthError):
    pass


class UserAlreadyExists(TenantAuthError):
    pass


class SignInRefusal(StrEnum):
    NOT_INVITED = "not_invited"
    DEACTIVATED = "deactivated"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    IDENTITY_CONFLICT = "identity_conflict"
    """The invited user is already linked to another account at the same issuer."""


class SignInRefused(TenantAuthError):
    """An OIDC identity may not sign in to this tenant. Already audited when raised."""

    def __init__(self, reason: SignInRefusal) -> None:
        super().__init__(f"sign-in refused: {reason}")
        self.reason = reason


class ApiKeyRejection(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    WRONG_SECRET = "wrong_secret"  # noqa: S105 - a reason code, not a password
    REVOKED = "revoked"
    EXPIRED = "expired"
    TENANT_INACTIVE = "tenant_inactive"


class ApiKeyRejected(TenantAuthError):
    """The presented API key does not authenticate (HTTP 401)."""

    def __init__(self, reason: ApiKeyRejection) -> None:
        super().__init__(f"API key rejected: {reason}")
        self.reason = reason


class ApiKeyScopeDenied(TenantAuthError):
    """The key is valid but lacks the scope the endpoint needs (HTTP 403)."""


class ApiKeyNotFound(TenantAuthError):
    pass


class LinkRejection(StrEnum):
    MALFORMED = "malformed"
    TAMPERED = "tampered"
    """The signature does not match, or was made with a key no longer configured."""
    UNKNOWN_TENANT = "unknown_tenant"
    TENANT_INACTIVE = "tenant_inactive"
    SIGN_IN_REQUIRED = "sign_in_required"
    """The tenant has OIDC configured: token links stop working, users sign in instead."""
    EXPIRED = "expired"
    REVOKED = "revoked"
    WRONG_PAGE = "wrong_page"
    UNKNOWN_LINK = "unknown_link"


class LinkRejected(TenantAuthError):
    """A resource-link token does not grant access (HTTP 403, or a redirect to sign-in for
    ``SIGN_IN_REQUIRED``). Already audited when raised."""

    def __init__(self, reason: LinkRejection) -> None:
        super().__init__(f"link rejected: {reason}")
        self.reason = reason


class LinkNotFound(TenantAuthError):
    pass


class TursoApiError(TenantAuthError):
    """The Turso Platform API answered with an error (or not at all: ``status`` 0)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(f"Turso Platform API: {message} (HTTP {status})")
        self.status = status


class TursoDatabaseExists(TursoApiError):
    pass
