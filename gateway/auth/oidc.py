"""The OpenID Connect relying party: discovery, the authorization request (code flow with
PKCE), the token request, and ID token verification.

Built on the process's ``httpx.AsyncClient`` and joserfc rather than authlib's httpx
integration: that integration creates clients of its own (and warns that it wants
``httpx2``), does not check ``aud`` unless told to, and does not raise on a token response
that carries an error in a non-standard body. The ID token checks of OIDC Core §3.1.3.7
are made here explicitly: the signature first, then issuer, audience and authorized party,
expiry, issue time and nonce.

Discovery documents and key sets are cached briefly per issuer; an ID token signed with a
key we have not seen refreshes the key set once (key rotation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeGuard

import httpx
import msgspec
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from pipeline.core.structs import Frozen

__all__ = [
    "IdentityClaims",
    "OidcClient",
    "OidcError",
    "OidcFailure",
    "ProviderMetadata",
    "code_challenge",
    "new_code_verifier",
]

SCOPES = "openid email profile"
CACHE_TTL_S = 300.0
"""How long a discovery document or key set is reused before it is fetched again."""
CLOCK_LEEWAY_S = 60
"""Tolerated clock difference with the provider for ``exp``, ``iat`` and ``nbf``."""
_JWKS_REFRESH_MIN_S = 30.0
_MAX_DOCUMENT_BYTES = 512 * 1024
# Asymmetric signatures only: never "none", and never HS* (keyed with the client secret,
# which would make anyone holding the secret a token issuer).
_SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class OidcFailure(StrEnum):
    """Why a sign-in could not be completed with the provider (recorded in the audit log)."""

    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PROVIDER_MISCONFIGURED = "provider_misconfigured"
    AUTHORIZATION_RESPONSE = "authorization_response"
    """The callback lacks a code, or names another issuer (RFC 9207)."""
    CODE_REJECTED = "code_rejected"
    """The token endpoint refused the code (used before, issued to another client...)."""
    BAD_SIGNATURE = "id_token_signature"
    WRONG_ISSUER = "id_token_issuer"
    WRONG_AUDIENCE = "id_token_audience"
    EXPIRED = "id_token_expired"
    WRONG_NONCE = "id_token_nonce"
    BAD_CLAIMS = "id_token_claims"


class OidcError(Exception):
    """The provider or its answer failed a check. ``detail`` is for logs: it names what
    was wrong and never contains a token or a secret."""

    def __init__(self, failure: OidcFailure, detail: str) -> None:
        super().__init__(f"{failure}: {detail}")
        self.failure = failure
        self.detail = detail


if TYPE_CHECKING:
    # As in pipeline.core.structs: mypy does not see ``frozen`` inherited.
    class _Document(msgspec.Struct, kw_only=True):
        pass

else:

    class _Document(msgspec.Struct, frozen=True, kw_only=True):
        """A document the provider publishes. Unlike our own boundary structs, unknown
        members are ignored: OIDC Discovery and RFC 6749 both let providers add members."""


class ProviderMetadata(_Document):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    response_types_supported: tuple[str, ...]
    id_token_signing_alg_values_supported: tuple[str, ...]
    code_challenge_methods_supported: tuple[str, ...] = ()
    token_endpoint_auth_methods_supported: tuple[str, ...] = ("client_secret_basic",)
    authorization_response_iss_parameter_supported: bool = False


class _TokenResponse(_Document):
    token_type: str
    id_token: str


class _TokenError(_Document):
    error: str


class IdentityClaims(Frozen):
    """What a verified ID token says about the person."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool | None
    name: str | None


def new_code_verifier() -> str:
    """A PKCE code verifier: 64 characters from the unreserved set (RFC 7636 §4.1)."""
    return secrets.token_urlsafe(48)


def code_challenge(verifier: str) -> str:
    """The S256 challenge for ``verifier`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """One per process; safe to share between requests."""

    def __init__(
        self, http: httpx.AsyncClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._http = http
        self._clock = clock
        self._metadata: dict[str, tuple[float, ProviderMetadata]] = {}
        self._keys: dict[str, tuple[float, KeySet]] = {}

    async def metadata(self, issuer: str) -> ProviderMetadata:
        """The provider's discovery document, checked: its ``issuer`` is exactly the
        configured one, it supports the code flow, and its endpoints are https (http only
        for a loopback issuer). Raises ``OidcError``."""
        cached = self._metadata.get(issuer)
        if cached is not None and self._clock() - cached[0] < CACHE_TTL_S:
            return cached[1]
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        body = await self._get(url)
        try:
            metadata = msgspec.json.decode(body, type=ProviderMetadata)
        except msgspec.DecodeError as exc:
            raise OidcError(OidcFailure.PROVIDER_MISCONFIGURED, f"discovery: {exc}") from None
        if metadata.issuer != issuer:
            raise OidcError(
                OidcFailure.PROVIDER_MISCONFIGURED, "discovery names a different issuer"
            )
        if "code" not in metadata.response_types_supported:
            raise OidcError(OidcFailure.PROVIDER_MISCONFIGURED, "no authorization code flow")
        methods = metadata.code_challenge_methods_supported
        if methods and "S256" not in methods:
            raise OidcError(OidcFailure.PROVIDER_MISCONFIGURED, "no S256 PKCE")
        if not _SIGNING_ALGORITHMS.intersection(metadata.id_token_signing_alg_values_supported):
            raise OidcError(
                OidcFailure.PROVIDER_MISCONFIGURED, "no asymmetric ID token signing algorithm"
            )
        for endpoint in (
            metadata.authorization_endpoint,
            metadata.token_endpoint,
            metadata.jwks_uri,
        ):
            _require_secure(endpoint, issuer)
        self._metadata[issuer] = (self._clock(), metadata)
        return metadata

    def authorization_url(
        self,
        metadata: ProviderMetadata,
        *,
        client_id: str,
        redirect_uri: str,
        state: str,
        nonce: str,
        code_verifier: str,
        login_hint: str | None = None,
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        parts = urllib.parse.urlsplit(metadata.authorization_endpoint)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query.extend(params.items())
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))

    async def redeem_code(
        self,
        metadata: ProviderMetadata,
        *,
        client_id: str,
        client_secret: str,
        code: str,
        code_verifier: str,
        redirect_uri: str,
    ) -> str:
        """Exchange the authorization code; return the (unverified) ID token. Raises
        ``OidcError`` unless the provider answered 200 with a Bearer token and an ID token
        (a replayed or foreign code gets ``CODE_REJECTED``)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        headers = {"accept": "application/json"}
        methods = metadata.token_endpoint_auth_methods_supported
        if "client_secret_basic" in methods:
            # RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
            pair = f"{_form_encode(client_id)}:{_form_encode(client_secret)}"
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        elif "client_secret_post" in methods:
            form |= {"client_id": client_id, "client_secret": client_secret}
        else:
            raise OidcError(
                OidcFailure.PROVIDER_MISCONFIGURED, "no client secret authentication method"
            )
        status, body = await self._send("POST", metadata.token_endpoint, data=form, headers=headers)
        if status != 200:
            raise OidcError(OidcFailure.CODE_REJECTED, f"HTTP {status} {_error_code(body)}")
        try:
            token = msgspec.json.decode(body, type=_TokenResponse)
        except msgspec.DecodeError:
            # A 200 that is not a token response, e.g. {"error": ...} from a provider that
            # does not use status codes.
            raise OidcError(OidcFailure.CODE_REJECTED, f"HTTP 200 {_error_code(body)}") from None
        if token.token_type.lower() != "bearer":
            raise OidcError(OidcFailure.CODE_REJECTED, "token type is not Bearer")
        return token.id_token

    async def verify_id_token(
        self,
        metadata: ProviderMetadata,
        *,
        id_token: str,
        client_id: str,
        nonce: str,
        now: float | None = None,
    ) -> IdentityClaims:
        """Verify signature (an asymmetric algorithm the provider advertises, a key from
        its JWKS), ``iss``, ``aud``/``azp``, ``exp``, ``iat``, ``nbf`` and ``nonce``.
        Raises ``OidcError`` naming the first check that failed."""
        now = time.time() if now is None else now
        algorithms = sorted(
            _SIGNING_ALGORITHMS.intersection(metadata.id_token_signing_alg_values_supported)
        )
        keys = await self._key_set(metadata.jwks_uri, metadata.issuer)
        try:
            try:
                token = _decode(id_token, keys, algorithms)
            except InvalidKeyIdError:
                keys = await self._key_set(metadata.jwks_uri, metadata.issuer, refresh=True)
                token = _decode(id_token, keys, algorithms)
        except (JoseError, ValueError) as exc:
            raise OidcError(OidcFailure.BAD_SIGNATURE, type(exc).__name__) from None
        return _check_claims(
            token.claims, issuer=metadata.issuer, client_id=client_id, nonce=nonce, now=now
        )

    async def _key_set(self, jwks_uri: str, issuer: str, *, refresh: bool = False) -> KeySet:
        cached = self._keys.get(jwks_uri)
        if cached is not None:
            age = self._clock() - cached[0]
            # A forced refresh is rate-limited: an unknown kid must not turn every
            # callback into a JWKS download.
            if age < (_JWKS_REFRESH_MIN_S if refresh else CACHE_TTL_S):
                return cached[1]
        body = await self._get(jwks_uri)
        try:
            document = msgspec.json.decode(body, type=dict[str, list[dict[str, Any]]])
            signing = [key for key in document["keys"] if key.get("use", "sig") == "sig"]
            keys = KeySet.import_key_set({"keys": signing})
        except (msgspec.DecodeError, KeyError, JoseError, ValueError, TypeError) as exc:
            raise OidcError(
                OidcFailure.PROVIDER_MISCONFIGURED, f"JWKS: {type(exc).__name__}"
            ) from None
        self._keys[jwks_uri] = (self._clock(), keys)
        return keys

    async def _get(self, url: str) -> bytes:
        status, body = await self._send("GET", url, headers={"accept": "application/json"})
        if status != 200:
            raise OidcError(OidcFailure.PROVIDER_UNAVAILABLE, f"GET {_origin(url)}: HTTP {status}")
        return body

    async def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Status and body (at most 512 KiB: a provider's documents are small)."""
        try:
            async with self._http.stream(method, url, headers=headers, data=data) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > _MAX_DOCUMENT_BYTES:
                        raise OidcError(
                            OidcFailure.PROVIDER_MISCONFIGURED,
                            f"{method} {_origin(url)}: response too large",
                        )
                return response.status_code, bytes(body)
        except httpx.HTTPError as exc:
            raise OidcError(
                OidcFailure.PROVIDER_UNAVAILABLE, f"{method} {_origin(url)}: {type(exc).__name__}"
            ) from None


def _decode(id_token: str, keys: KeySet, algorithms: list[str]) -> jwt.Token:
    # Extra header members (x5t, ...) are tolerated: the key always comes from our copy of
    # the provider's JWKS, never from the token's own header.
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    return jwt.decode(id_token, keys, algorithms=algorithms, registry=registry)


def _check_claims(
    claims: Mapping[str, Any], *, issuer: str, client_id: str, nonce: str, now: float
) -> IdentityClaims:
    def fail(failure: OidcFailure, detail: str) -> OidcError:
        return OidcError(failure, detail)

    if claims.get("iss") != issuer:
        raise fail(OidcFailure.WRONG_ISSUER, "iss is not the provider's issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise fail(OidcFailure.WRONG_AUDIENCE, "aud does not contain our client id")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise fail(OidcFailure.WRONG_AUDIENCE, "azp is not our client id")
    expires = claims.get("exp")
    if not _numeric_date(expires) or expires <= now - CLOCK_LEEWAY_S:
        raise fail(OidcFailure.EXPIRED, "exp missing or in the past")
    issued = claims.get("iat")
    if not _numeric_date(issued) or issued > now + CLOCK_LEEWAY_S:
        raise fail(OidcFailure.BAD_CLAIMS, "iat missing or in the future")
    not_before = claims.get("nbf")
    if not_before is not None and (
        not _numeric_date(not_before) or not_before > now + CLOCK_LEEWAY_S
    ):
        raise fail(OidcFailure.BAD_CLAIMS, "nbf in the future")
    presented = claims.get("nonce")
    if not isinstance(presented, str) or not hmac.compare_digest(
        presented.encode(), nonce.encode()
    ):
        raise fail(OidcFailure.WRONG_NONCE, "nonce does not match the sign-in")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise fail(OidcFailure.BAD_CLAIMS, "sub missing")
    email = claims.get("email")
    verified = claims.get("email_verified")
    name = claims.get("name")
    return IdentityClaims(
        issuer=issuer,
        subject=subject,
        email=email if isinstance(email, str) else None,
        email_verified=verified if isinstance(verified, bool) else None,
        name=name if isinstance(name, str) else None,
    )


def _numeric_date(value: object) -> TypeGuard[float]:
    # bool is an int; NaN and infinities compare in ways that would never expire.
    return not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    )


def _require_secure(url: str, issuer: str) -> None:
    parts = urllib.parse.urlsplit(url)
    issuer_host = urllib.parse.urlsplit(issuer).hostname
    local = issuer_host in _LOOPBACK_HOSTS and parts.hostname in _LOOPBACK_HOSTS
    if parts.scheme == "https" or (parts.scheme == "http" and local):
        return
    raise OidcError(OidcFailure.PROVIDER_MISCONFIGURED, f"endpoint is not https: {_origin(url)}")


def _form_encode(value: str) -> str:
    return urllib.parse.quote_plus(value, safe="")


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error_code(body: bytes) -> str:
    """The ``error`` member of an OAuth error body, if it is a plain code; never the rest
    (``error_description`` is free text from the provider)."""
    try:
        error = msgspec.json.decode(body, type=_TokenError).error
    except msgspec.DecodeError:
        return "(no OAuth error code)"
    return error if error.replace("_", "").isalnum() and len(error) <= 64 else "(odd error code)"
