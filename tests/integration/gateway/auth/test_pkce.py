"""PKCE values as RFC 7636 defines them."""

from __future__ import annotations

import re

from gateway.auth.oidc import code_challenge, new_code_verifier


def test_s256_challenge_matches_the_rfc_7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636, appendix B

    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_code_verifier_is_long_and_uses_only_unreserved_characters() -> None:
    verifier = new_code_verifier()

    assert 43 <= len(verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", verifier)
    assert new_code_verifier() != verifier
