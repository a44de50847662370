"""Keyed fingerprints and field encryption with the workspace keyring."""

from __future__ import annotations

import json

import pytest

from dataward.core.engine.crypto import Keyring
from dataward.errors import KeyringError


def test_fingerprint_is_stable_keyed_and_never_the_value() -> None:
    ring = Keyring.generate()
    fp = ring.fingerprint("4111111111111111")
    assert fp == ring.fingerprint("4111111111111111")
    assert fp != ring.fingerprint("4111111111111112")
    assert "4111" not in fp
    assert fp != Keyring.generate().fingerprint("4111111111111111")
    assert fp.startswith(f"fp1:{ring.active_id}:")


def test_rotation_keeps_old_fingerprints_resolvable() -> None:
    ring = Keyring.generate()
    old = ring.fingerprint("123-45-6789")
    rotated = ring.rotate()
    assert rotated.active_id != ring.active_id
    assert rotated.fingerprint("123-45-6789") != old
    assert rotated.matches("123-45-6789", old)
    assert not rotated.matches("123-45-6780", old)
    assert old in rotated.fingerprints("123-45-6789")


def test_encrypt_round_trip_is_bound_to_context() -> None:
    ring = Keyring.generate()
    token = ring.encrypt("soc@bank.example", "core.Client.security_contact")
    assert "soc@" not in token
    assert ring.decrypt(token, "core.Client.security_contact") == "soc@bank.example"
    with pytest.raises(KeyringError, match="wrong key or tampered"):
        ring.decrypt(token, "core.User.email")


def test_wrong_key_and_tampering_are_clear_errors() -> None:
    ring = Keyring.generate()
    token = ring.encrypt("secret", "ctx")
    other = Keyring.from_text(
        ring.to_json().replace(ring.to_json().split('"secret": "')[1].split('"')[0], "A" * 43),
        "key",
    )
    with pytest.raises(KeyringError, match="wrong key or tampered"):
        other.decrypt(token, "ctx")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(KeyringError):
        ring.decrypt(flipped, "ctx")
    with pytest.raises(KeyringError, match="not in the workspace keyring"):
        Keyring.generate().decrypt(token, "ctx")


def test_keyring_serialises_and_accepts_a_bare_key() -> None:
    ring = Keyring.generate().rotate()
    again = Keyring.from_text(ring.to_json(), "file")
    assert again == ring
    bare = Keyring.from_text("q" * 43, "DATAWARD_KEY")
    assert bare.fingerprint("x") == Keyring.from_text("q" * 43, "env").fingerprint("x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("not-base64!!", "not a 256-bit base64 key"),
        ("c2hvcnQ", "not a 256-bit base64 key"),
        ("{broken json", "not a dataward keyring"),
        (json.dumps({"format": "other", "active": "k", "keys": []}), "unknown keyring format"),
        (
            json.dumps(
                {
                    "format": "dataward-keyring/1",
                    "active": "k1",
                    "keys": [{"id": "k1", "secret": "c2hvcnQ", "created": "x"}],
                }
            ),
            "not 256 bits",
        ),
        (
            json.dumps(
                {
                    "format": "dataward-keyring/1",
                    "active": "k9",
                    "keys": [{"id": "k1", "secret": "q" * 43, "created": "x"}],
                }
            ),
            "not in the workspace keyring",
        ),
    ],
)
def test_bad_keys_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message) as info:
        Keyring.from_text(text, "the-key-file")
    assert "\n" not in info.value.line()
