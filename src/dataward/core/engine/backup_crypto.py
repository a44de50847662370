"""Encrypt a backup as a stream of authenticated 1 MiB chunks; read it back by random access.

File layout (format ``dataward-backup/2``)::

    dataward-backup/2                                           (one line)
    {"check": "<32 hex>", "key_id": "k…", "salt": "<64 hex>"}   (one line)
    chunk 0, chunk 1, … chunk n-1

Each chunk is AES-256-GCM of 1 MiB of the inner archive (the last one 0 to 1 MiB) plus its
16-byte tag. The file key is HKDF-SHA256 of the ``backup-archive`` subkey of the named workspace
key with the header's random salt, so no two archives share a key and a counter nonce is safe.
The nonce is the chunk's index (11 bytes) and a last-chunk flag (1 byte); the header is the
associated data of every chunk. A chunk changed, moved, dropped, repeated, taken from another
archive, or a file cut at any byte, fails authentication; ``check`` tells a wrong key from
damage. In clear the file shows only the format, the key id and (roughly) the archive's size.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import zipfile
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dataward.core.engine.crypto import Keyring
from dataward.errors import DatawardError, KeyringError

FORMAT = "dataward-backup/2"
MAGIC = FORMAT.encode() + b"\n"
PURPOSE = "backup-archive"
CHUNK = 2**20
TAG = 16
MAX_HEADER = 1024
DAMAGED = "the backup is damaged or truncated"
DAMAGED_HINT = "use an intact copy of the backup"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HEX = re.compile(r"[0-9a-f]+")


class BackupError(DatawardError):
    """Report a backup that cannot be written, read or trusted."""


class WrongKeyError(BackupError):
    """Report a backup made with a key the workspace does not hold."""


def file_key(subkey: bytes, salt: bytes) -> bytes:
    """Return one archive's AES-256 key: HKDF of the key's backup subkey and the archive's salt."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=MAGIC + b"file key")
    return hkdf.derive(subkey)


def key_check(key: bytes) -> str:
    """Return the value that tells a wrong key from a damaged archive (reveals nothing of it)."""
    return hmac.new(key, b"dataward backup key check", hashlib.sha256).hexdigest()[:32]


def nonce(index: int, last: bool) -> bytes:
    """Return chunk ``index``'s nonce: its position and whether it ends the archive."""
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def header(keyring: Keyring, key_id: str) -> tuple[bytes, bytes]:
    """Return a new archive's header and file key, under a fresh random salt."""
    salt = secrets.token_bytes(32)
    key = file_key(keyring.get(key_id).derive(PURPOSE), salt)
    body = {"check": key_check(key), "key_id": key_id, "salt": salt.hex()}
    return MAGIC + json.dumps(body, sort_keys=True).encode() + b"\n", key


class ChunkWriter:
    """A write-only file for ``zipfile``: buffers 1 MiB, writes each chunk sealed.

    ``tell`` counts the inner archive's bytes; there is no ``seek``, so ``zipfile`` writes its
    members with data descriptors. ``sha256`` is the digest of the file as written.
    """

    def __init__(self, raw: IO[bytes], keyring: Keyring, key_id: str) -> None:
        self.raw, self.index, self.pos = raw, 0, 0
        self.aad, key = header(keyring, key_id)
        self.aead = AESGCM(key)
        self.buffer = bytearray()
        self.digest = hashlib.sha256()
        self.closed = False
        self._out(self.aad)

    def write(self, data: bytes) -> int:
        """Take bytes of the inner archive; seal every full chunk once more is known to follow."""
        self.buffer += data
        self.pos += len(data)
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def tell(self) -> int:
        """Return how many bytes of the inner archive were written."""
        return self.pos

    def flush(self) -> None:
        """Do nothing: chunks are written whole (``zipfile`` calls this)."""

    def close(self) -> None:
        """Seal the last chunk (possibly empty); the file is then complete."""
        if not self.closed:
            self.closed = True
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()

    def _seal(self, plain: bytes, last: bool) -> None:
        self._out(self.aead.encrypt(nonce(self.index, last), plain, self.aad))
        self.index += 1

    def _out(self, data: bytes) -> None:
        self.raw.write(data)
        self.digest.update(data)


def read_header(raw: IO[bytes], where: str) -> tuple[bytes, dict[str, str]]:
    """Read and check the clear header; refuse what is not a backup of this format."""
    first = raw.readline(64)
    if first != MAGIC:
        raise _not_this_format(first, _is_v1(raw) if first.startswith(b"PK\x03\x04") else False,
                               where)  # fmt: skip
    line = raw.readline(MAX_HEADER)
    try:
        fields = json.loads(line) if line.endswith(b"\n") else None
    except ValueError:
        fields = None
    if not (
        isinstance(fields, dict)
        and set(fields) == {"check", "key_id", "salt"}
        and all(isinstance(v, str) for v in fields.values())
        and _KEY_ID.fullmatch(fields["key_id"])
        and len(fields["salt"]) == 64
        and len(fields["check"]) == 32
        and _HEX.fullmatch(fields["salt"] + fields["check"])
    ):
        raise BackupError(DAMAGED + " (unreadable header)", where, DAMAGED_HINT)
    return first + line, fields


def _is_v1(raw: IO[bytes]) -> bool:
    """Return True when a ZIP is a first-format backup (clear manifest and its seal)."""
    try:
        with zipfile.ZipFile(raw) as old:
            return {"manifest.json", "manifest.seal"} <= set(old.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return False


def _not_this_format(first: bytes, v1: bool, where: str) -> BackupError:
    """Name what the file is instead: an older or newer backup, or something else."""
    if v1:
        return BackupError(
            "the backup is in format dataward-backup/1 (unencrypted, written before release), "
            "which this dataward no longer reads",
            where,
            "restore it with the dataward that wrote it, then back up again with this version",
        )
    if first.startswith(b"dataward-backup/") and first.endswith(b"\n"):
        shown = first.strip().decode("ascii", "replace")[:40]
        return BackupError(
            f"the backup is in format {shown}, newer than this dataward reads ({FORMAT})",
            where,
            "restore it with the dataward version that wrote it, or a later one",
        )
    return BackupError("not a dataward backup", where, "name a file written by `dataward backup`")


class ChunkReader:
    """A read-only, seekable view of an archive's inner bytes; each chunk checked as read.

    Only the chunk being read is held (1 MiB), so reading a backup of any size stays bounded.
    """

    def __init__(self, raw: IO[bytes], keyring: Keyring, where: str, hint: str) -> None:
        self.raw, self.where, self.pos = raw, where, 0
        self.aad, fields = read_header(raw, where)
        self.key_id = fields["key_id"]
        try:
            subkey = keyring.get(self.key_id).derive(PURPOSE)
        except KeyringError:
            subkey = b""
        if not subkey:
            raise WrongKeyError(
                f"the workspace key does not match the backup, which needs key {self.key_id}",
                where,
                hint,
            )
        key = file_key(subkey, bytes.fromhex(fields["salt"]))
        if not hmac.compare_digest(key_check(key), fields["check"]):  # ids name one secret
            raise BackupError(
                DAMAGED + f" (its header does not match key {self.key_id}, which is held here)",
                where,
                DAMAGED_HINT,
            )
        self.aead = AESGCM(key)
        body = os.fstat(raw.fileno()).st_size - len(self.aad)
        self.chunks = -(-body // (CHUNK + TAG))
        last = body - (self.chunks - 1) * (CHUNK + TAG)
        if self.chunks < 1 or last < TAG:
            raise BackupError(DAMAGED, where, DAMAGED_HINT)
        self.size = (self.chunks - 1) * CHUNK + last - TAG
        self.cached: tuple[int, bytes] = (-1, b"")

    def chunk(self, index: int) -> bytes:
        """Return chunk ``index`` decrypted, or refuse the archive if it fails its check."""
        if self.cached[0] == index:
            return self.cached[1]
        length = CHUNK + TAG
        sealed = os.pread(self.raw.fileno(), length, len(self.aad) + index * length)
        try:
            plain = self.aead.decrypt(nonce(index, index == self.chunks - 1), sealed, self.aad)
        except InvalidTag:
            raise BackupError(
                DAMAGED + f" (part {index + 1} of {self.chunks} fails its check)",
                self.where,
                DAMAGED_HINT,
            ) from None
        self.cached = (index, plain)
        return plain

    def authenticate(self) -> None:
        """Check every chunk, in order (the whole file, before anything is trusted)."""
        for index in range(self.chunks):
            self.chunk(index)

    def read(self, n: int = -1) -> bytes:
        """Return up to ``n`` inner bytes from the current position (all that is left: -1)."""
        end = self.size if n < 0 else min(self.size, self.pos + n)
        out = []
        while self.pos < end:
            index, offset = divmod(self.pos, CHUNK)
            piece = self.chunk(index)[offset : offset + end - self.pos]
            if not piece:  # only a chunk shorter than its place in the file could do this
                raise BackupError(DAMAGED, self.where, DAMAGED_HINT)
            out.append(piece)
            self.pos += len(piece)
        return b"".join(out)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the position, as a regular file does (an offset before the start is an error)."""
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        if base + offset < 0:
            raise OSError(22, "Invalid argument")
        self.pos = base + offset
        return self.pos

    def tell(self) -> int:
        """Return the position in the inner archive."""
        return self.pos

    def seekable(self) -> bool:
        """Return True: ``zipfile`` reads members by position."""
        return True

    def close(self) -> None:
        """Forget the cached chunk (the caller closes the file)."""
        self.cached = (-1, b"")
