"""Write and read a workspace backup: a ZIP of JSON Lines tables, state files, a sealed manifest.

Layout: ``data/<table>.jsonl`` (one JSON array per row, columns in the manifest's order, rows
in primary-key order), ``files/<path>`` (state files kept beside the database), then
``manifest.json`` (what every member must hold: rows, bytes, SHA-256) and ``manifest.seal``
(HMAC-SHA256 of the manifest under a subkey of the workspace key, so an archive altered by
someone without the key is refused). The key itself is never written.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dataward.core.engine.crypto import Keyring
from dataward.errors import DatawardError

FORMAT = "dataward-backup/1"
MANIFEST = "manifest.json"
SEAL = "manifest.seal"
MAX_MANIFEST = 64 * 2**20
CHUNK = 2**20
DAMAGED = "the backup is damaged or truncated"
DAMAGED_HINT = "use an intact copy of the backup"


class BackupError(DatawardError):
    """Report a backup that cannot be written, read or trusted."""


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


def seal_of(manifest: bytes, keyring: Keyring, key_id: str) -> str:
    """Return the manifest's seal: HMAC-SHA256 under the key's ``backup`` subkey."""
    return hmac.new(keyring.get(key_id).derive("backup"), manifest, hashlib.sha256).hexdigest()


def canonical(doc: Mapping[str, Any]) -> bytes:
    """Return the manifest's bytes (sorted keys, so the seal covers one spelling)."""
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False).encode()


class ArchiveWriter:
    """Write an archive beside its destination, then publish it under its name in one step.

    The file is created mode 0600 under a temporary name; ``publish`` renames it into place
    (refusing to replace an existing file unless ``force``), so nobody ever sees half a backup.
    """

    def __init__(self, dest: Path, force: bool, level: int = 6) -> None:
        if not dest.parent.is_dir():
            raise BackupError("no such folder", str(dest.parent), "create it or choose another")
        if dest.exists() and not force:
            raise BackupError("the file exists", str(dest), "choose another name or pass --force")
        self.dest, self.force = dest, force
        self.members: dict[str, Member] = {}
        self.tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self.handle = os.fdopen(fd, "w+b")
        self.zip = zipfile.ZipFile(
            self.handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=level
        )

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

    def publish(self, manifest: dict[str, Any], keyring: Keyring) -> str:
        """Seal the manifest, write it last, move the file into place; return its SHA-256."""
        body = canonical(manifest)
        seal = {"key_id": keyring.active_id, "hmac": seal_of(body, keyring, keyring.active_id)}
        self.zip.writestr(MANIFEST, body)
        self.zip.writestr(SEAL, json.dumps(seal).encode())
        self.zip.close()
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.seek(0)
        digest = hashlib.sha256()
        while chunk := self.handle.read(CHUNK):
            digest.update(chunk)
        self.handle.close()
        if self.force:
            os.replace(self.tmp, self.dest)
        else:
            try:
                os.link(self.tmp, self.dest)  # fails if the name was taken meanwhile
            except FileExistsError:
                raise BackupError(
                    "the file exists", str(self.dest), "choose another name or pass --force"
                ) from None
            self.tmp.unlink()
        _sync_folder(self.dest.parent)
        return digest.hexdigest()

    def discard(self) -> None:
        """Remove the temporary file (after a failure; nothing is left behind)."""
        with contextlib.suppress(Exception):
            self.zip.close()
        with contextlib.suppress(OSError):
            self.handle.close()
        self.tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries, so a rename survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Archive:
    """An archive opened for restore: its manifest read, nothing trusted until verified."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            names = self.zip.namelist()
        except FileNotFoundError:
            raise BackupError("no such file", str(path), "check the path") from None
        except IsADirectoryError:
            raise BackupError("is a folder, not a backup", str(path), "name the file") from None
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError):
            raise _not_or_damaged(path) from None
        try:
            self._read(names)
        except BaseException:
            self.zip.close()
            raise

    def _read(self, names: list[str]) -> None:
        """Read the manifest and its seal, refusing what is not a backup of this format."""
        path = self.path
        if len(set(names)) != len(names):
            raise BackupError(DAMAGED + " (a member appears twice)", str(path), DAMAGED_HINT)
        if MANIFEST not in names or SEAL not in names:
            raise BackupError("not a dataward backup (no manifest)", str(path), _WHAT_HINT)
        self.names = set(names)
        self.body = self._small(MANIFEST)
        try:
            self.manifest: dict[str, Any] = json.loads(self.body)
            self.seal: dict[str, str] = json.loads(self._small(SEAL))
            fmt = str(self.manifest["format"])
        except (ValueError, KeyError, TypeError):
            raise BackupError(DAMAGED + " (unreadable manifest)", str(path), DAMAGED_HINT) from None
        if fmt != FORMAT:
            if fmt.startswith("dataward-backup/"):
                raise BackupError(
                    f"the backup is in format {fmt}, newer than this dataward reads ({FORMAT})",
                    str(path),
                    f"restore it with dataward {self.manifest.get('dataward', 'newer')} or later",
                )
            raise BackupError("not a dataward backup", str(path), _WHAT_HINT)
        if not _well_formed(self.manifest, self.seal):
            raise BackupError(DAMAGED + " (malformed manifest)", str(path), DAMAGED_HINT)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def _small(self, name: str) -> bytes:
        """Read a small member whole, refusing one that claims to be huge."""
        try:
            if self.zip.getinfo(name).file_size > MAX_MANIFEST:
                raise BackupError(DAMAGED + f" ({name} is too large)", str(self.path), DAMAGED_HINT)
            return self.zip.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            raise BackupError(DAMAGED + f" ({name})", str(self.path), DAMAGED_HINT) from None

    def check_seal(self, keyring: Keyring) -> None:
        """Refuse a manifest whose seal does not verify under the workspace's key."""
        key_id = str(self.seal.get("key_id", ""))
        want = seal_of(self.body, keyring, key_id)
        if not hmac.compare_digest(want, str(self.seal.get("hmac", ""))):
            raise BackupError(
                "the backup's manifest does not match its seal (altered or damaged)",
                str(self.path),
                DAMAGED_HINT,
            )

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
        """Read every member and check it against the manifest, before anything is touched."""
        wanted = self.expected()
        extra = self.names - {name for name, _, _ in wanted} - {MANIFEST, SEAL}
        if extra:
            raise BackupError(DAMAGED + f" (unexpected member {sorted(extra)[0]})", str(self.path),
                              DAMAGED_HINT)  # fmt: skip
        for name, size, sha in wanted:
            if name not in self.names:
                raise BackupError(DAMAGED + f" ({name} is missing)", str(self.path), DAMAGED_HINT)
            digest, seen = hashlib.sha256(), 0
            for chunk in self.chunks(name, size):
                digest.update(chunk)
                seen += len(chunk)
                advance(len(chunk))
            if seen != size or digest.hexdigest() != sha:
                raise BackupError(DAMAGED + f" ({name} does not match its checksum)",
                                  str(self.path), DAMAGED_HINT)  # fmt: skip

    def chunks(self, name: str, limit: int) -> Iterator[bytes]:
        """Yield a member's bytes, stopping one byte past ``limit`` (a lying size is caught)."""
        try:
            with self.zip.open(name) as raw:
                seen = 0
                while seen <= limit and (chunk := raw.read(min(CHUNK, limit + 1 - seen))):
                    seen += len(chunk)
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
            raise BackupError(DAMAGED + f" ({name})", str(self.path), DAMAGED_HINT) from None

    def rows(self, name: str, sha256: str, batch: int) -> Iterator[list[Any]]:
        """Yield a data member's rows, ``batch`` at a time (one JSON parse each).

        The bytes are hashed again as they are read, so a file changed since ``verify`` fails
        before the caller's transaction commits.
        """
        digest = hashlib.sha256()
        try:
            with self.zip.open(name) as raw:
                while lines := list(itertools.islice(raw, batch)):
                    data = b"".join(lines)
                    digest.update(data)
                    yield json.loads(b"[" + data.replace(b"\n", b",", len(lines) - 1) + b"]")
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            raise BackupError(DAMAGED + f" ({name})", str(self.path), DAMAGED_HINT) from None
        if digest.hexdigest() != sha256:
            raise BackupError(DAMAGED + f" ({name} changed while it was read)", str(self.path),
                              DAMAGED_HINT)  # fmt: skip


_WHAT_HINT = "name a file written by `dataward backup`"
_SHAPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "member": (str,), "path": (str,), "sha256": (str,), "rows": (int,),
    "bytes": (int,), "columns": (list,), "id": (str,), "check": (str,),
}  # fmt: skip


def _entries(items: Any, *keys: str) -> bool:
    """Return True when items is a list of objects holding each key with its type."""
    return isinstance(items, list) and all(
        isinstance(i, dict) and all(isinstance(i.get(k), _SHAPES[k]) for k in keys) for i in items
    )


def _well_formed(man: dict[str, Any], seal: Any) -> bool:
    """Return True when the manifest and seal have the shape this format writes."""
    migrations, head = man.get("migrations"), man.get("audit")
    return (
        isinstance(seal, dict)
        and isinstance(migrations, dict)
        and all(isinstance(v, list) and all(isinstance(n, str) for n in v)
                for v in migrations.values())
        and isinstance(head, dict) and isinstance(head.get("seq"), int)
        and isinstance(head.get("hash"), str)
        and _entries(man.get("keys"), "id", "check")
        and _entries(man.get("tables"), "name", "member", "columns", "rows", "bytes", "sha256")
        and _entries(man.get("files"), "path", "member", "bytes", "sha256")
    )  # fmt: skip


def _not_or_damaged(path: Path) -> BackupError:
    """Tell a damaged archive (it starts like a ZIP) from a file that never was one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        return BackupError(f"cannot read ({exc.strerror})", str(path), "check the path")
    if head == b"PK\x03\x04":
        return BackupError(DAMAGED, str(path), DAMAGED_HINT)
    return BackupError("not a dataward backup", str(path), _WHAT_HINT)
