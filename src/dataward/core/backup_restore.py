"""Restore a workspace from a backup: verify everything first, then load all or nothing."""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from dataward.core import audit
from dataward.core.backup import QUIET, Progress, require_whole_workspace
from dataward.core.backup_busy import users
from dataward.core.backup_checks import (
    check_keys,
    check_schema,
    key_hint,
    refuse_if_busy,
    refuse_source_inside_state,
    target_name,
)
from dataward.core.backup_codec import decode_rows, preparers
from dataward.core.backup_files import StateFiles
from dataward.core.backup_tables import Table, managed_tables
from dataward.core.engine.audit import ROTATE_ACTION
from dataward.core.engine.backup_format import (
    DAMAGED,
    DAMAGED_HINT,
    Archive,
    BackupError,
)
from dataward.core.engine.workspace import atomic_write
from dataward.core.models import AuditEvent, AuditHead, KeyCheck
from dataward.core.workspace import Workspace

BATCH = 5000
BATCH_BYTES = 2**20
UNCHANGED = "the workspace is unchanged"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put back."""

    tables: int
    rows: int
    files: int
    created: str
    backend: str
    in_use: list[str]


def restore(
    ws: Workspace, src: Path, force: bool = False, progress: Progress = QUIET
) -> RestoreResult:
    """Replace the workspace's records and state files with the backup's, or change nothing.

    Without ``force`` it refuses a workspace that holds records or state files, or that other
    processes use (the web server, a scan, other database sessions).
    """
    require_whole_workspace(ws)
    refuse_source_inside_state(ws, src)
    with Archive(src, ws.keyring, key_hint(ws)) as archive:
        return _restore(ws, archive, force, progress)


def _restore(ws: Workspace, archive: Archive, force: bool, progress: Progress) -> RestoreResult:
    """Check, verify, stage the files, load, then point the audit anchor at the new head."""
    check_keys(archive, ws)
    plan = check_schema(archive, managed_tables())
    in_use = users(ws)
    if not force:
        refuse_if_busy(ws, [table for table, _ in plan], in_use)
    progress.start("verifying", sum(size for _, size, _ in archive.expected()))
    archive.verify(progress.advance)
    files = StateFiles(ws.paths.root)
    try:
        try:
            files.stage(archive)
        except OSError as exc:
            raise BackupError(
                f"cannot write the workspace's files ({exc.strerror}); " + UNCHANGED,
                str(ws.paths.root),
                "check the disk and the folder",
            ) from None
        rows = _load_all(ws, archive, plan, files, progress)
    except BaseException:
        files.undo()
        raise
    finally:
        files.cleanup()
    _write_anchor(ws)
    ContentType.objects.clear_cache()
    man = archive.manifest
    return RestoreResult(len(plan), rows, len(archive.files), str(man.get("created", "")),
                         str(man.get("backend", "")), in_use)  # fmt: skip


def _load_all(
    ws: Workspace,
    archive: Archive,
    plan: list[tuple[Table, dict[str, Any]]],
    files: StateFiles,
    progress: Progress,
) -> int:
    """Replace every table in one transaction, audit it, swap the files in before commit."""
    man = archive.manifest
    progress.start("restoring", sum(int(e["rows"]) for _, e in plan))
    try:
        with transaction.atomic():
            _wipe([t for t, _ in plan])
            rows = sum(_load(archive, table, entry, progress) for table, entry in plan)
            _reset_sequences([t for t, _ in plan])
            _check_chain(archive)
            for key in ws.keyring.keys:  # keys this workspace holds beyond the backup's
                KeyCheck.objects.get_or_create(
                    key_id=key.id, defaults={"check_value": ws.keyring.check_value(key.id)}
                )
            _continue_chain(ws, man)
            audit.record(ws, "workspace.restore", None, "workspace", str(ws.paths.root), detail={
                "file": str(archive.path), "created": man.get("created"),
                "from_backend": man.get("backend"), "tables": len(plan), "rows": rows,
                "files": len(archive.files), "audit_seq": man["audit"]["seq"],
            })  # fmt: skip
            files.swap()
    except DatabaseError as exc:
        raise BackupError(
            f"the database refused the restored records at commit ({type(exc).__name__}); "
            + UNCHANGED,
            target_name(ws),
            "check the database's logs; the backup may hold rows this database cannot store",
        ) from None
    return rows


def _reset_sequences(tables: list[Table]) -> None:
    """Make PostgreSQL hand out ids after the restored ones (SQLite follows by itself)."""
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cur.execute(sql)


def _wipe(tables: list[Table]) -> None:
    """Empty every table (PostgreSQL: one TRUNCATE; foreign keys are checked at commit)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(qn(t.name) for t in tables))
            return
        for table in tables:
            cur.execute(f"DELETE FROM {qn(table.name)}")  # noqa: S608 - a model's table


def _load(archive: Archive, table: Table, entry: dict[str, Any], progress: Progress) -> int:
    """Insert a table's rows in batches, each value prepared by its Django field."""
    insert = _inserter(table)
    prepare = preparers(table.fields, table.kinds, connection)
    width, done = len(table.columns), 0
    try:
        with connection.cursor() as cur:
            for batch in archive.rows(entry["member"], entry["sha256"], BATCH, BATCH_BYTES):
                if any(not isinstance(row, list) or len(row) != width for row in batch):
                    raise BackupError(DAMAGED + f" (a row of {table.name} is malformed)",
                                      str(archive.path), DAMAGED_HINT)  # fmt: skip
                insert(cur, decode_rows(batch, prepare))
                done += len(batch)
                progress.advance(len(batch))
    except (DatabaseError, ValueError, TypeError, OverflowError) as exc:
        raise BackupError(
            f"the database refused a row of table {table.name} (rows {done + 1}-{done + BATCH}, "
            f"{type(exc).__name__}); " + UNCHANGED,
            str(archive.path),
            "the backup holds a row this database cannot store; check the database's logs",
        ) from None
    if done != int(entry["rows"]):
        raise BackupError(DAMAGED + f" ({table.name} holds {done} rows, not {entry['rows']})",
                          str(archive.path), DAMAGED_HINT)  # fmt: skip
    return done


def _inserter(table: Table) -> Callable[[Any, list[list[Any]]], None]:
    """Return how to insert a batch: COPY on PostgreSQL, executemany on SQLite."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in table.columns)
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {qn(table.name)} ({cols}) FROM STDIN"

        def copy(cur: Any, rows: list[list[Any]]) -> None:
            with connection.wrap_database_errors, cur.cursor.copy(copy_sql) as pipe:
                for row in rows:
                    pipe.write_row(row)

        return copy
    marks = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO {qn(table.name)} ({cols}) VALUES ({marks})"  # noqa: S608 - from models
    return lambda cur, rows: cur.executemany(sql, rows)


def _check_chain(archive: Archive) -> None:
    """Refuse unless the restored audit head and newest event are the snapshot's."""
    want = archive.manifest.get("audit") or {}
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, seal = int(want.get("seq", -1)), str(want.get("hash", ""))
    if head != (seq, seal) or (last or (0, "0" * 64)) != (seq, seal):
        raise BackupError(DAMAGED + " (the audit chain does not end where the manifest says)",
                          str(archive.path), DAMAGED_HINT)  # fmt: skip


def _continue_chain(ws: Workspace, manifest: dict[str, Any]) -> None:
    """Record the switch of sealing key when this workspace's active key is newer than the backup's.

    The chain then goes on under the active key, as after `dataward keys rotate`, and verifies.
    """
    last = AuditEvent.objects.order_by("-seq").values_list("key_id", flat=True).first()
    if last and last != ws.keyring.active_id:
        audit.record(ws, ROTATE_ACTION, None, "keyring", ws.keyring.active_id,
                     detail={"previous": last, "reason": "restore"})  # fmt: skip


def _write_anchor(ws: Workspace) -> None:
    """Set the audit anchor to the restored chain's head (it may be behind the old one)."""
    anchor = ws.paths.audit_head
    with open(anchor.with_name(f".{anchor.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        head = AuditHead.objects.get(id=1)
        atomic_write(anchor, f"{head.seq} {head.hash}\n".encode())
