"""Write and read a workspace backup: an encrypted file holding a ZIP of tables, files, manifest.

The inner ZIP holds ``data/<table>.jsonl`` (one JSON array per row, columns in the manifest's
order, rows in primary-key order), ``files/<path>`` (state files kept beside the database), then
``manifest.json`` (what every member must hold: rows, bytes, SHA-256). The ZIP is encrypted and
authenticated chunk by chunk under a subkey of the workspace key (``backup_crypto.py``), so an
archive altered, cut or made without the key is refused. The key itself is never written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dataward.core.engine.backup_crypto import (
    CHUNK,
    DAMAGED,
    DAMAGED_HINT,
    FORMAT,
    BackupError,
    ChunkReader,
    ChunkWriter,
    WrongKeyError,
)
from dataward.core.engine.backup_target import (
    check_destination,
    clear_leftovers,
    publish,
    temporary_name,
)
from dataward.core.engine.crypto import Keyring

__all__ = ["DAMAGED", "DAMAGED_HINT", "FORMAT", "Archive", "ArchiveWriter", "BackupError",
           "WrongKeyError", "canonical"]  # fmt: skip

MANIFEST = "manifest.json"
MAX_MANIFEST = 64 * 2**20
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RecursionError)


@dataclass(frozen=True)
class Member:
    """One member written to the archive: its name, size and SHA-256 (uncompressed)."""

    name: str
    size: int
    sha256: str


class _Sink:
    """Count and hash what is written to one member."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.size, self.digest = raw, 0, hashlib.sha256()

    def write(self, data: bytes) -> None:
        """Write bytes to the member."""
        self.raw.write(data)
        self.digest.update(data)
        self.size += len(data)


def canonical(doc: Mapping[str, Any]) -> bytes:
    """Return the manifest's bytes (sorted keys: one spelling for one manifest)."""
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False).encode()


class ArchiveWriter:
    """Write an encrypted archive beside its destination, then publish it under its name.

    The file is created mode 0600 under a temporary name; ``publish`` flushes it to disk and
    renames it into place (refusing to replace a file unless ``force``), so nobody ever sees
    half a backup; leaving the block any other way removes the temporary file.
    """

    def __init__(
        self, dest: Path, workspace: Path, force: bool, keyring: Keyring, level: int = 6
    ) -> None:
        check_destination(dest, workspace, force)
        clear_leftovers(dest)
        self.dest, self.force = dest, force
        self.members: dict[str, Member] = {}
        self.tmp = temporary_name(dest)
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.handle = os.fdopen(fd, "wb")
        try:
            self.sealed = ChunkWriter(self.handle, keyring, keyring.active_id)
            self.zip = zipfile.ZipFile(
                self.sealed,  # a write-only file with tell(): zipfile writes data descriptors
                "w",
                zipfile.ZIP_DEFLATED,
                allowZip64=True,
                compresslevel=level,
            )
        except BaseException:
            self.handle.close()
            self.tmp.unlink(missing_ok=True)
            raise

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    @contextlib.contextmanager
    def member(self, name: str) -> Iterator[_Sink]:
        """Stream one member's bytes; its size and hash are recorded when it closes."""
        with self.zip.open(name, "w", force_zip64=True) as raw:
            sink = _Sink(raw)
            yield sink
        self.members[name] = Member(name, sink.size, sink.digest.hexdigest())

    def publish(self, manifest: dict[str, Any]) -> str:
        """Write the manifest last, seal the file, move it into place; return its SHA-256."""
        self.zip.writestr(MANIFEST, canonical(manifest))
        self.zip.close()
        self.sealed.close()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        publish(self.tmp, self.dest, self.force)
        return self.sealed.digest.hexdigest()

    def discard(self) -> None:
        """Remove the temporary file (after a failure or an interrupt; nothing is left)."""
        with contextlib.suppress(Exception):
            self.zip.close()
        with contextlib.suppress(OSError):
            self.handle.close()
        self.tmp.unlink(missing_ok=True)


class Archive:
    """An archive opened for restore: its key checked and manifest read; members not yet."""

    def __init__(self, path: Path, keyring: Keyring, key_hint: str) -> None:
        self.path = where = str(path)
        try:
            mode = path.stat().st_mode
            if stat.S_ISDIR(mode):
                raise BackupError("is a folder, not a backup", where, "name the file")
            if not stat.S_ISREG(mode):  # a pipe or device would block or never end
                raise BackupError("is not a regular file", where, "name a backup file")
            self.file = open(path, "rb")  # noqa: SIM115 - closed by __exit__ or below
        except FileNotFoundError:
            raise BackupError("no such file", where, "check the path") from None
        except OSError as exc:
            raise BackupError(f"cannot read ({exc.strerror})", where, "check the path") from None
        try:
            self.reader = ChunkReader(self.file, keyring, where, key_hint)
            self.zip = zipfile.ZipFile(self.reader)
            self._read(self.zip.namelist())
        except ZIP_ERRORS:
            self.file.close()
            raise BackupError(DAMAGED + " (unreadable archive)", where, DAMAGED_HINT) from None
        except BaseException:
            self.file.close()
            raise

    @property
    def key_id(self) -> str:
        """Return the id of the key the archive was encrypted with."""
        return self.reader.key_id

    def _read(self, names: list[str]) -> None:
        """Read the manifest, refusing what is not a backup of this format."""
        if len(set(names)) != len(names):
            raise BackupError(DAMAGED + " (a member appears twice)", self.path, DAMAGED_HINT)
        if MANIFEST not in names:
            raise BackupError(DAMAGED + " (no manifest)", self.path, DAMAGED_HINT)
        self.names = set(names)
        try:
            self.manifest: dict[str, Any] = json.loads(self._small(MANIFEST))
            fmt = self.manifest["format"]
        except (ValueError, KeyError, TypeError, RecursionError):
            raise BackupError(DAMAGED + " (unreadable manifest)", self.path, DAMAGED_HINT) from None
        if fmt != FORMAT or not _well_formed(self.manifest):
            raise BackupError(DAMAGED + " (malformed manifest)", self.path, DAMAGED_HINT)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()
        self.file.close()

    def _small(self, name: str) -> bytes:
        """Read a small member whole, refusing one that claims to be huge."""
        if self.zip.getinfo(name).file_size > MAX_MANIFEST:
            raise BackupError(DAMAGED + f" ({name} is too large)", self.path, DAMAGED_HINT)
        return self.zip.read(name)

    def expected(self) -> list[tuple[str, int, str]]:
        """Return every data and file member the manifest names: (member, bytes, sha256)."""
        return [(e["member"], e["bytes"], e["sha256"]) for e in [*self.tables, *self.files]]

    @property
    def tables(self) -> list[dict[str, Any]]:
        """Return the manifest's table entries."""
        return list(self.manifest["tables"])

    @property
    def files(self) -> list[dict[str, Any]]:
        """Return the manifest's state-file entries."""
        return list(self.manifest["files"])

    def verify(self, advance: Callable[[int], None] = lambda n: None) -> None:
        """Check every chunk, then every member against the manifest, before anything changes."""
        self.reader.authenticate()
        wanted = self.expected()
        extra = self.names - {name for name, _, _ in wanted} - {MANIFEST}
        if extra:
            raise BackupError(DAMAGED + f" (unexpected member {sorted(extra)[0]})", self.path,
                              DAMAGED_HINT)  # fmt: skip
        for name, size, sha in wanted:
            if name not in self.names:
                raise BackupError(DAMAGED + f" ({name} is missing)", self.path, DAMAGED_HINT)
            digest, seen = hashlib.sha256(), 0
            for chunk in self.chunks(name, size):
                digest.update(chunk)
                seen += len(chunk)
                advance(len(chunk))
            if seen != size or digest.hexdigest() != sha:
                raise BackupError(DAMAGED + f" ({name} does not match its checksum)",
                                  self.path, DAMAGED_HINT)  # fmt: skip

    def chunks(self, name: str, limit: int) -> Iterator[bytes]:
        """Yield a member's bytes, stopping one byte past ``limit`` (a lying size is caught)."""
        try:
            with self.zip.open(name) as raw:
                seen = 0
                while seen <= limit and (chunk := raw.read(min(CHUNK, limit + 1 - seen))):
                    seen += len(chunk)
                    yield chunk
        except ZIP_ERRORS:
            raise BackupError(DAMAGED + f" ({name})", self.path, DAMAGED_HINT) from None

    def rows(self, name: str, sha256: str, batch: int, max_bytes: int) -> Iterator[list[Any]]:
        """Yield a data member's rows, at most ``batch`` rows or about ``max_bytes`` at a time.

        The bytes are hashed again as they are read, so a file changed since ``verify`` fails
        before the caller's transaction commits.
        """
        digest = hashlib.sha256()
        try:
            with self.zip.open(name) as raw:
                while lines := _lines(raw, batch, max_bytes):
                    for line in lines:
                        digest.update(line)
                    # each line ends in a newline, which JSON reads as a space between values
                    yield json.loads(b"".join((b"[", b",".join(lines), b"]")))
        except ZIP_ERRORS:
            raise BackupError(DAMAGED + f" ({name})", self.path, DAMAGED_HINT) from None
        if digest.hexdigest() != sha256:
            raise BackupError(DAMAGED + f" ({name} changed while it was read)", self.path,
                              DAMAGED_HINT)  # fmt: skip


def _lines(raw: IO[bytes], batch: int, max_bytes: int) -> list[bytes]:
    """Return the next lines of a member: ``batch`` of them, or fewer adding up to max_bytes."""
    out, size = [], 0
    for line in itertools.islice(raw, batch):
        out.append(line)
        size += len(line)
        if size >= max_bytes:
            break
    return out


_SHAPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "member": (str,), "path": (str,), "sha256": (str,), "rows": (int,),
    "bytes": (int,), "columns": (list,), "id": (str,), "check": (str,),
}  # fmt: skip


def _entries(items: Any, *keys: str) -> bool:
    """Return True when items is a list of objects holding each key with its type."""
    return isinstance(items, list) and all(
        isinstance(i, dict) and all(isinstance(i.get(k), _SHAPES[k]) for k in keys) for i in items
    )


def _well_formed(man: dict[str, Any]) -> bool:
    """Return True when the manifest has the shape this format writes."""
    migrations, head = man.get("migrations"), man.get("audit")
    return (
        isinstance(migrations, dict)
        and all(isinstance(v, list) and all(isinstance(n, str) for n in v)
                for v in migrations.values())
        and isinstance(head, dict) and isinstance(head.get("seq"), int)
        and isinstance(head.get("hash"), str)
        and _entries(man.get("keys"), "id", "check")
        and _entries(man.get("tables"), "name", "member", "columns", "rows", "bytes", "sha256")
        and _entries(man.get("files"), "path", "member", "bytes", "sha256")
    )  # fmt: skip
