"""SecretBox and the LEADGATE_SECRET_KEY keyring: sealing, contexts, rotation, masking."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from tenant_auth.core.errors import DecryptionError, SecretKeyError
from tenant_auth.core.keyring import KeyPurpose, Keyring
from tenant_auth.core.secretbox import Secret, SecretBox
from tenant_auth.core.settings import AuthSettings

KEY = secrets.token_urlsafe(32)


def test_sealed_secret_opens_with_the_same_key_and_context() -> None:
    box = SecretBox.from_secret_key(KEY)
    sealed = box.encrypt("turso-token-value", context="tenant:acme:database_token")

    assert sealed.startswith(f"v1:{Keyring.parse(KEY).current_id}:")
    assert "turso-token-value" not in sealed
    assert box.decrypt(sealed, context="tenant:acme:database_token") == "turso-token-value"


def test_same_plaintext_seals_differently_each_time() -> None:
    box = SecretBox.from_secret_key(KEY)
    assert box.encrypt("x") != box.encrypt("x")


def test_ciphertext_moved_to_another_context_does_not_open() -> None:
    box = SecretBox.from_secret_key(KEY)
    sealed = box.encrypt("token", context="tenant:acme:database_token")
    with pytest.raises(DecryptionError):
        box.decrypt(sealed, context="tenant:beta:database_token")


def test_tampered_ciphertext_does_not_open() -> None:
    box = SecretBox.from_secret_key(KEY)
    sealed = box.encrypt("token")
    prefix, body = sealed.rsplit(":", 1)
    for position in (0, len(body) // 2, len(body) - 1):
        flipped = "A" if body[position] != "A" else "B"
        tampered = f"{prefix}:{body[:position]}{flipped}{body[position + 1 :]}"
        with pytest.raises(DecryptionError):
            box.decrypt(tampered)


@pytest.mark.parametrize("garbage", ["", "plain", "v2:abcd:xyz", "v1:abcd", "v1:abcd:!!!"])
def test_garbage_is_not_a_ciphertext(garbage: str) -> None:
    with pytest.raises(DecryptionError):
        SecretBox.from_secret_key(KEY).decrypt(garbage)


def test_rotated_keyring_opens_old_ciphertexts_and_seals_with_the_new_key() -> None:
    old = SecretBox.from_secret_key(KEY)
    sealed_before = old.encrypt("token")
    new_key = secrets.token_urlsafe(32)
    rotated = SecretBox.from_secret_key(f"{new_key}, {KEY}")

    assert rotated.decrypt(sealed_before) == "token"
    assert rotated.needs_reseal(sealed_before)
    assert not rotated.needs_reseal(rotated.encrypt("token"))
    with pytest.raises(DecryptionError, match="no longer lists"):
        SecretBox.from_secret_key(new_key).decrypt(sealed_before)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "short",
        secrets.token_urlsafe(16),
        f"{KEY},",
        f"{KEY},{KEY}",
        "not base64 at all!!" * 4,
    ],
)
def test_malformed_secret_key_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(SecretKeyError) as raised:
        Keyring.parse(value)
    message = str(raised.value)
    assert "LEADGATE_SECRET_KEY" in message
    assert all(part not in message for part in value.split(",") if len(part.strip()) >= 8)


def test_key_with_base64_padding_is_the_same_key() -> None:
    raw = secrets.token_bytes(32)
    padded = base64.urlsafe_b64encode(raw).decode()
    assert padded.endswith("=")
    assert Keyring.parse(padded).current_id == Keyring.parse(padded.rstrip("=")).current_id


def test_each_purpose_gets_its_own_key() -> None:
    keyring = Keyring.parse(KEY)
    derived = {keyring.derive(purpose) for purpose in KeyPurpose}
    assert len(derived) == len(KeyPurpose)


def test_secret_never_prints_itself() -> None:
    secret = Secret("hunter2-token")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in f"{secret}"
    assert secret == Secret("hunter2-token")
    assert secret != Secret("other")


def test_settings_repr_masks_secrets(tmp_path: Path) -> None:
    settings = AuthSettings(
        data_dir=tmp_path,
        registry_url="libsql://registry.example.com?authToken=url-token-value",
        registry_token="registry-token-value",
        secret_key=KEY,
        turso_api_token="turso-api-token-value",
    )
    secrets_given = ("registry-token-value", KEY, "turso-api-token-value", "url-token-value")
    for shown in (repr(settings), str(settings.__rich_repr__())):
        assert "libsql://registry.example.com" in shown
        for secret in secrets_given:
            assert secret not in shown
