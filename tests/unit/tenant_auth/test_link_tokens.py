"""Link tokens: signed claims, verified in constant time before anything is read."""

from __future__ import annotations

import secrets

import pytest

from tenant_auth.core.errors import InvalidInput, LinkRejection
from tenant_auth.core.keyring import Keyring
from tenant_auth.links.service import validate_page
from tenant_auth.links.token import LinkClaims, sign_link, verify_token

KEY = secrets.token_urlsafe(32)
CLAIMS = LinkClaims(
    tenant_slug="acme", link_id="a" * 16, page="/dashboards/sla", expires=2_000_000_000
)


def test_signed_token_verifies_to_its_claims() -> None:
    keyring = Keyring.parse(KEY)
    assert verify_token(keyring, sign_link(keyring, CLAIMS)) == CLAIMS


def test_token_signed_with_a_retired_key_still_verifies_while_listed() -> None:
    token = sign_link(Keyring.parse(KEY), CLAIMS)
    new_key = secrets.token_urlsafe(32)
    assert verify_token(Keyring.parse(f"{new_key},{KEY}"), token) == CLAIMS
    assert verify_token(Keyring.parse(new_key), token) is LinkRejection.TAMPERED


def test_changing_any_claim_breaks_the_signature() -> None:
    keyring = Keyring.parse(KEY)
    key_id, _, signature = sign_link(keyring, CLAIMS).split(".")
    other = LinkClaims(
        tenant_slug="beta", link_id="a" * 16, page="/dashboards/sla", expires=2_000_000_000
    )
    _, other_body, _ = sign_link(keyring, other).split(".")
    assert verify_token(keyring, f"{key_id}.{other_body}.{signature}") is LinkRejection.TAMPERED


def test_token_from_another_installation_is_refused() -> None:
    foreign = sign_link(Keyring.parse(secrets.token_urlsafe(32)), CLAIMS)
    assert verify_token(Keyring.parse(KEY), foreign) is LinkRejection.TAMPERED


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "x" * 3000])
def test_malformed_token_is_refused(token: str) -> None:
    assert verify_token(Keyring.parse(KEY), token) is LinkRejection.MALFORMED


@pytest.mark.parametrize("page", ["/", "/dashboards/sla", "/prospects/12345/", "/a/b.c/d-e_f~%20"])
def test_plain_paths_are_valid_pages(page: str) -> None:
    assert validate_page(page) == page


@pytest.mark.parametrize(
    "page", ["", "x", "//host", "/a/./b", "/a/../b", "/a?b", "/a#b", "/a\\b", "/" + "a" * 600]
)
def test_other_pages_are_refused(page: str) -> None:
    with pytest.raises(InvalidInput):
        validate_page(page)
