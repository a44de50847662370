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
from django.db.migrations.loader import MigrationLoader

from dataward.core import audit
from dataward.core.backup import QUIET, Progress, require_whole_workspace
from dataward.core.backup_codec import decode_rows, preparers
from dataward.core.backup_files import StateFiles, present
from dataward.core.backup_tables import Table, holdings, managed_tables
from dataward.core.engine.audit import ROTATE_ACTION
from dataward.core.engine.backup_format import DAMAGED, DAMAGED_HINT, Archive, BackupError
from dataward.core.engine.workspace import atomic_write
from dataward.core.models import AuditEvent, AuditHead, KeyCheck
from dataward.core.workspace import Workspace, redacted_url
from dataward.errors import KeyringError

BATCH = 5000
UNCHANGED = "the workspace is unchanged"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put back."""

    tables: int
    rows: int
    files: int
    created: str
    backend: str


def restore(
    ws: Workspace, src: Path, force: bool = False, progress: Progress = QUIET
) -> RestoreResult:
    """Replace the workspace's records and state files with the backup's, or change nothing."""
    require_whole_workspace(ws)
    with Archive(src) as archive:
        return _restore(ws, archive, force, progress)


def _restore(ws: Workspace, archive: Archive, force: bool, progress: Progress) -> RestoreResult:
    """Check, verify, stage the files, load, then point the audit anchor at the new head."""
    check_keys(archive, ws)
    archive.check_seal(ws.keyring)
    plan = check_schema(archive, managed_tables())
    if not force:
        _refuse_if_busy(ws, [table for table, _ in plan])
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
                         str(man.get("backend", "")))  # fmt: skip


def check_keys(archive: Archive, ws: Workspace) -> None:
    """Refuse unless the workspace holds every key the backup was made with."""
    wanted = [(str(e["id"]), str(e["check"])) for e in archive.manifest["keys"]]
    sealer = str(archive.seal.get("key_id", ""))
    for key_id, check in [*wanted, *([(sealer, "")] if sealer not in dict(wanted) else [])]:
        try:
            ok = ws.keyring.check_value(key_id) == check or not check
        except KeyringError:
            ok = False
        if not ok:
            raise BackupError(
                f"the workspace key does not match the backup, which needs key {key_id}",
                str(archive.path),
                f"set DATAWARD_KEY to the keyring that holds {key_id}, or put that key file in "
                f"place as {ws.paths.key} (a new workspace for it: init with DATAWARD_KEY set)",
            )


def check_schema(archive: Archive, tables: list[Table]) -> list[tuple[Table, dict[str, Any]]]:
    """Refuse a backup from another schema; return each table with its manifest entry."""
    where = str(archive.path)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    theirs = {(app, name) for app, names in archive.manifest.get("migrations", {}).items()
              for name in names}  # fmt: skip
    unknown = sorted(theirs - set(loader.disk_migrations))
    if unknown:
        app, name = unknown[0]
        made_by = archive.manifest.get("dataward", "a newer version")
        raise BackupError(
            f"the backup comes from a newer schema (migration {app}.{name} is unknown here)",
            where,
            f"restore it with dataward {made_by} or later",
        )
    missing = sorted(set(loader.applied_migrations) - theirs)
    if missing:
        app, name = missing[0]
        raise BackupError(
            f"the backup comes from an older schema (it lacks migration {app}.{name}); "
            "restoring older backups is not supported yet",
            where,
            f"restore it with the dataward that made it "
            f"({archive.manifest.get('dataward', '?')}), run `dataward migrate`, back it up again",
        )
    by_name = {t.name: t for t in tables}
    plan = []
    for entry in archive.tables:
        table = by_name.pop(str(entry.get("name")), None)
        ours = [[c, k] for c, k in zip(table.columns, table.kinds, strict=True)] if table else []
        if table is None or entry.get("columns") != ours:
            raise BackupError(
                f"table {entry.get('name')} differs from this dataward's schema", where,
                "restore it with the dataward version that made it",
            )  # fmt: skip
        plan.append((table, entry))
    if by_name:
        raise BackupError(f"the backup has no table {sorted(by_name)[0]}", where, DAMAGED_HINT)
    return plan


def _refuse_if_busy(ws: Workspace, tables: list[Table]) -> None:
    """Refuse to restore over records or state files unless told to replace them."""
    busy = holdings(tables) + present(ws.paths.root)
    if busy:
        shown = ", ".join(busy[:3]) + (f" and {len(busy) - 3} more" if len(busy) > 3 else "")
        raise BackupError(
            f"the workspace already holds records ({shown})",
            _target(ws),
            "restore into a new workspace, or pass --force to replace everything in it",
        )


def _target(ws: Workspace) -> str:
    url = ws.config.database_url
    return str(ws.paths.root) if ws.config.is_sqlite else redacted_url(url)


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
            _target(ws),
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
            for batch in archive.rows(entry["member"], entry["sha256"], BATCH):
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
