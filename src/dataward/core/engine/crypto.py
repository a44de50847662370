"""Hold the workspace keyring: keyed fingerprints (HMAC) and field encryption (AES-GCM)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dataward.errors import KeyringError

KEYRING_FORMAT = "dataward-keyring/1"
FP_PREFIX = "fp1"
ENC_PREFIX = "enc1"
KEY_HINT = "restore the key file from your backup or set DATAWARD_KEY to the right key"


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Key:
    """One 256-bit secret with its id; purpose keys are derived from it with HKDF."""

    id: str
    secret: bytes = field(repr=False)
    created: str = ""

    def derive(self, purpose: str) -> bytes:
        """Return a 32-byte subkey for one purpose (fingerprint, encrypt, audit, check)."""
        return _derive(self.secret, purpose)


@dataclass(frozen=True)
class Fingerprinter:
    """The fingerprint subkey of one key, alone: what a remote scan worker is given.

    A worker computing fingerprints needs only this HMAC subkey, not the keyring (whose keys also
    decrypt stored fields and sign the audit trail). Calling it gives the same value as
    ``Keyring.fingerprint`` with that key.
    """

    key_id: str
    subkey: bytes = field(repr=False)

    def __call__(self, value: str) -> str:
        """Return the keyed fingerprint of a value, as ``fp1:<key id>:<hex>``."""
        digest = hmac.digest(self.subkey, value.encode(), "sha256").hex()  # one-shot, in C
        return f"{FP_PREFIX}:{self.key_id}:{digest[:32]}"


KeyFinder = Callable[[str | None], "Keyring | None"]
"""Find a newer keyring: called with a key id this one lacks, or None to ask whether it changed."""


@dataclass(frozen=True)
class Keyring:
    """Keep every workspace key; the active one signs and encrypts, old ones still resolve.

    A keyring opened from a key file carries a finder: when a rotation in another process replaced
    the file, ``get`` of a key id met in the data (or ``latest``) reads the newer keyring instead
    of failing or going on with the retired active key.
    """

    active_id: str
    keys: tuple[Key, ...] = field(default_factory=tuple)
    finder: KeyFinder | None = field(default=None, compare=False, repr=False)

    @classmethod
    def generate(cls) -> Keyring:
        """Create a keyring holding one fresh random key."""
        key = _new_key()
        return cls(active_id=key.id, keys=(key,))

    def rotate(self) -> Keyring:
        """Return a keyring with a new active key, keeping the old keys for resolution."""
        key = _new_key()
        return Keyring(active_id=key.id, keys=(*self.keys, key), finder=self.finder)

    def with_finder(self, finder: KeyFinder | None) -> Keyring:
        """Return this keyring with a finder that knows where newer keyrings come from."""
        return replace(self, finder=finder)

    def latest(self) -> Keyring:
        """Return the newest keyring the finder has (after a rotation elsewhere), else this one."""
        newer = self.finder(None) if self.finder is not None else None
        return newer or self

    def holds(self, key_id: str) -> bool:
        """Return True when this keyring itself (no finder asked) holds the key."""
        return self._held(key_id) is not None

    def _held(self, key_id: str) -> Key | None:
        return next((key for key in self.keys if key.id == key_id), None)

    @property
    def active(self) -> Key:
        """Return the key used for new fingerprints, encryption and audit links."""
        return self.get(self.active_id)

    def get(self, key_id: str) -> Key:
        """Return the key with this id, asking the finder for a newer keyring if this one lacks it.

        Raises a KeyringError naming the key when no keyring holds it (or the finder's own error,
        when the keyring cannot be re-read).
        """
        key = self._held(key_id)
        if key is None and self.finder is not None and key_id:
            newer = self.finder(key_id)
            key = newer._held(key_id) if newer is not None else None
        if key is not None:
            return key
        raise KeyringError(f"key {key_id} is not in the workspace keyring", "keyring", KEY_HINT)

    def fingerprint(self, value: str, key_id: str | None = None) -> str:
        """Return the keyed fingerprint of a value, as ``fp1:<key id>:<hex>``."""
        key = self.get(key_id) if key_id else self.active
        digest = hmac.digest(key.derive("fingerprint"), value.encode(), "sha256").hex()
        return f"{FP_PREFIX}:{key.id}:{digest[:32]}"

    def fingerprinter(self) -> Fingerprinter:
        """Return the active key's fingerprint subkey on its own, for scan workers elsewhere."""
        return Fingerprinter(self.active.id, self.active.derive("fingerprint"))

    def fingerprints(self, value: str) -> list[str]:
        """Return the value's fingerprint under every key, newest first, to match old records."""
        ring = self.latest()
        return [ring.fingerprint(value, key.id) for key in reversed(ring.keys)]

    def matches(self, value: str, fp: str) -> bool:
        """Return True when ``fp`` is this value's fingerprint under the key it names."""
        parts = fp.split(":")
        if len(parts) != 3 or parts[0] != FP_PREFIX:
            raise KeyringError("malformed fingerprint", "fingerprint", "expected fp1:<key>:<hex>")
        return hmac.compare_digest(self.fingerprint(value, parts[1]), fp)

    def mac(self, data: bytes, key_id: str | None = None) -> str:
        """Return the hex HMAC-SHA256 of data under the audit subkey."""
        key = self.get(key_id) if key_id else self.active
        return hmac.new(key.derive("audit"), data, hashlib.sha256).hexdigest()

    def check_value(self, key_id: str) -> str:
        """Return the value stored in the database to recognise this key later."""
        return hmac.new(
            self.get(key_id).derive("check"), b"dataward key check", hashlib.sha256
        ).hexdigest()

    def encrypt(self, plaintext: str, context: str) -> str:
        """Encrypt a field with AES-256-GCM bound to its context (model.field).

        The key is the newest keyring's active one: a process that started before a rotation
        must not go on writing under the key the rotation retired.
        """
        key = self.latest().active
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key.derive("encrypt")).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{ENC_PREFIX}:{key.id}:{_b64e(nonce + sealed)}"

    def decrypt(self, token: str, context: str) -> str:
        """Decrypt a field, raising a one-line KeyringError on a wrong key or tampering."""
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != ENC_PREFIX:
            raise KeyringError("not an encrypted value", context, "the stored field is damaged")
        key = self.get(parts[1])
        try:
            raw = _b64d(parts[2])
            plain = AESGCM(key.derive("encrypt")).decrypt(raw[:12], raw[12:], context.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise KeyringError(
                f"cannot decrypt with key {key.id} (wrong key or tampered value)", context, KEY_HINT
            ) from None
        return plain.decode()

    def key_id_of(self, token: str) -> str:
        """Return the id of the key an encrypted token or fingerprint was made with."""
        parts = token.split(":")
        return parts[1] if len(parts) == 3 else ""

    def to_json(self) -> str:
        """Serialise the keyring for the 0600 key file."""
        body = {
            "format": KEYRING_FORMAT,
            "active": self.active_id,
            "keys": [
                {"id": k.id, "secret": _b64e(k.secret), "created": k.created} for k in self.keys
            ],
        }
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def from_text(cls, text: str, where: str) -> Keyring:
        """Parse a key file's content or a bare base64 key, naming ``where`` on failure."""
        text = text.strip()
        if not text:
            raise KeyringError("the key is empty", where, KEY_HINT)
        if not text.startswith("{"):
            return cls._from_bare(text, where)
        try:
            body = json.loads(text)
            keys = tuple(
                Key(id=str(k["id"]), secret=_b64d(str(k["secret"])), created=str(k["created"]))
                for k in body["keys"]
            )
            active = str(body["active"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise KeyringError("the key file is not a dataward keyring", where, KEY_HINT) from None
        if body.get("format") != KEYRING_FORMAT or not keys:
            raise KeyringError("unknown keyring format or no keys", where, KEY_HINT)
        if any(len(k.secret) != 32 for k in keys):
            raise KeyringError("a key is not 256 bits long", where, KEY_HINT)
        ring = cls(active_id=active, keys=keys)
        ring.get(active)
        return ring

    @classmethod
    def _from_bare(cls, text: str, where: str) -> Keyring:
        """Accept a bare base64 256-bit key, as DATAWARD_KEY may hold."""
        try:
            secret = _b64d(text)
        except (ValueError, binascii.Error):
            secret = b""
        if len(secret) != 32:
            raise KeyringError("not a 256-bit base64 key", where, KEY_HINT)
        key_id = "k" + hashlib.sha256(secret).hexdigest()[:10]
        return cls(active_id=key_id, keys=(Key(id=key_id, secret=secret, created="external"),))


@lru_cache(maxsize=64)
def _derive(secret: bytes, purpose: str) -> bytes:
    """Derive a purpose subkey with HKDF-SHA256 (cached: keys are few, calls are many)."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"dataward/{purpose}".encode()
    )
    return hkdf.derive(secret)


def _new_key() -> Key:
    return Key(
        id="k" + secrets.token_hex(5),
        secret=secrets.token_bytes(32),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
