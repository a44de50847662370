"""Back up a workspace: every table in one consistent snapshot, its state files, a sealed manifest.

The archive format is in ``core/engine/backup_format.py``; restoring is ``core/backup_restore.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from dataward import __version__
from dataward.core import audit
from dataward.core.backup_codec import encode_rows, encoders
from dataward.core.backup_files import state_files
from dataward.core.backup_tables import (
    Table,
    applied_migrations,
    audit_head,
    count,
    key_checks,
    managed_tables,
    reading,
    snapshot,
    unmanaged_tables,
)
from dataward.core.engine.backup_format import FORMAT, ArchiveWriter, BackupError
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace

BATCH_BYTES = 2**20
"""Rows are read and encoded about this many bytes at a time, so wide rows stay bounded too."""
FETCH_MIN, FETCH_MAX = 16, 5000
WHOLE_WORKSPACE = (Action.MANAGE_CLIENTS, Action.MANAGE_USERS, Action.MANAGE_KEYS)
"""A backup carries, and a restore replaces, the clients, the users and the key check values:
only someone who may manage all three (an admin of the whole operation) may take either."""


@dataclass(frozen=True)
class Progress:
    """Callbacks a command passes in to show progress (the engine prints nothing itself)."""

    start: Callable[[str, int], None] = lambda label, total: None
    advance: Callable[[int], None] = lambda n: None


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    path: Path
    sha256: str
    tables: int
    rows: int
    files: int
    skipped: list[str]


def require_whole_workspace(ws: Workspace) -> None:
    """Refuse anyone but an admin of the whole operation."""
    for action in WHOLE_WORKSPACE:
        ws.require(action, None)


QUIET = Progress()


def backup(
    ws: Workspace, dest: Path, force: bool = False, progress: Progress = QUIET
) -> BackupResult:
    """Write the workspace to one encrypted archive at ``dest``; audit it once it is in place.

    Interrupted (Ctrl-C, or SIGTERM as the command maps it) or failing, it leaves no file.
    """
    require_whole_workspace(ws)
    tables = managed_tables()
    try:
        with ArchiveWriter(dest, ws.paths.root, force, ws.keyring) as writer:
            with snapshot():
                manifest = _header(ws)
                skipped = unmanaged_tables(tables)
                counts = {t.name: count(t) for t in tables}
                progress.start("backing up", sum(counts.values()))
                manifest["tables"] = [_dump(writer, t, counts[t.name], progress) for t in tables]
            manifest["tables_not_backed_up"] = skipped
            manifest["files"] = _files(writer, ws.paths.root)
            sha = writer.publish(manifest)
    except OSError as exc:
        raise BackupError(
            f"cannot write the backup ({exc.strerror})", str(dest), "check the disk and the folder"
        ) from None
    rows = sum(counts.values())
    audit.record(
        ws,
        "workspace.backup",
        None,
        "workspace",
        str(ws.paths.root),
        detail={
            "file": str(dest),
            "sha256": sha,
            "key_id": ws.keyring.active_id,
            "tables": len(tables),
            "rows": rows,
            "files": len(manifest["files"]),
            "audit_seq": manifest["audit"]["seq"],
        },
    )
    return BackupResult(dest, sha, len(tables), rows, len(manifest["files"]), skipped)


def _header(ws: Workspace) -> dict[str, Any]:
    """Return the manifest's description of the snapshot: versions, schema, keys, audit head."""
    return {
        "format": FORMAT,
        "dataward": __version__,
        "created": ws.clock().isoformat(timespec="microseconds"),
        "backend": connection.vendor,
        "migrations": applied_migrations(),
        "keys": key_checks(),
        "active_key": ws.keyring.active_id,
        "audit": audit_head(),
    }


def _dump(writer: ArchiveWriter, table: Table, expected: int, progress: Progress) -> dict[str, Any]:
    """Stream one table into its member and return its manifest entry."""
    member = f"data/{table.name}.jsonl"
    convert = encoders(table.kinds)
    rows, fetch = 0, FETCH_MIN
    with writer.member(member) as sink, reading(table) as next_rows:
        while batch := next_rows(fetch):
            data = encode_rows(batch, convert)
            sink.write(data)
            rows += len(batch)
            progress.advance(len(batch))
            fetch = max(FETCH_MIN, min(FETCH_MAX, len(batch) * BATCH_BYTES // (len(data) + 1)))
    if rows != expected:  # one snapshot cannot see two counts; never publish such an archive
        raise BackupError(
            f"read {rows} rows but counted {expected}", f"table {table.name}", "run it again"
        )
    done = writer.members[member]
    return {
        "name": table.name,
        "model": table.model._meta.label,
        "member": member,
        "pk": table.pk,
        "columns": [[c, k] for c, k in zip(table.columns, table.kinds, strict=True)],
        "rows": rows,
        "bytes": done.size,
        "sha256": done.sha256,
    }


def _files(writer: ArchiveWriter, root: Path) -> list[dict[str, Any]]:
    """Copy the workspace's state files into the archive and return their entries."""
    out = []
    for rel, path in state_files(root):
        member = f"files/{rel}"
        try:  # a link swapped in since the walk is not followed out of the workspace
            handle = os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")
        except OSError as exc:
            raise BackupError(
                f"cannot read ({exc.strerror})", str(path), "check its permissions"
            ) from None
        with handle, writer.member(member) as sink:
            while chunk := _read(handle, path):
                sink.write(chunk)
        done = writer.members[member]
        out.append({"path": rel, "member": member, "bytes": done.size, "sha256": done.sha256})
    return out


def _read(handle: Any, path: Path) -> bytes:
    """Read the next MiB of a state file; a read error names the file, not the backup."""
    try:
        return bytes(handle.read(2**20))
    except OSError as exc:
        raise BackupError(f"cannot read ({exc.strerror})", str(path), "check the file") from None
