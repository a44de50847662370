"""Check a backup against the workspace before a restore: keys, schema, and what it replaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from dataward.core.backup_files import STATE_ENTRIES, present
from dataward.core.backup_tables import Table, holdings
from dataward.core.engine.backup_format import DAMAGED_HINT, Archive, BackupError, WrongKeyError
from dataward.core.workspace import Workspace, redacted_url
from dataward.errors import KeyringError


def key_hint(ws: Workspace) -> str:
    """Return what to do when the workspace lacks a key the backup needs."""
    return (
        f"set DATAWARD_KEY to the keyring that holds it, or put that key file in place as "
        f"{ws.paths.key} (for a new workspace: init it with DATAWARD_KEY set)"
    )


def refuse_source_inside_state(ws: Workspace, src: Path) -> None:
    """Refuse a backup kept in a state folder: the restore would replace it, and delete it."""
    real, root = src.resolve(), ws.paths.root.resolve()
    if any(root / name == real or root / name in real.parents for name in STATE_ENTRIES):
        raise BackupError(
            "the backup is inside a folder the restore replaces", str(src),
            "move it out of the workspace first",
        )  # fmt: skip


def check_keys(archive: Archive, ws: Workspace) -> None:
    """Refuse unless the workspace holds every key the backup's records were made with.

    The key the archive is encrypted with was checked when it was opened; older keys still
    decrypt fields and verify audit links written before a rotation.
    """
    for entry in archive.manifest["keys"]:
        key_id, check = str(entry["id"]), str(entry["check"])
        try:
            ok = ws.keyring.check_value(key_id) == check
        except KeyringError:
            ok = False
        if not ok:
            raise WrongKeyError(
                f"the workspace key does not match the backup, which needs key {key_id}",
                archive.path,
                key_hint(ws),
            )


def check_schema(archive: Archive, tables: list[Table]) -> list[tuple[Table, dict[str, Any]]]:
    """Refuse a backup from another schema; return each table with its manifest entry."""
    where = archive.path
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


def refuse_if_busy(ws: Workspace, tables: list[Table], in_use: list[str]) -> None:
    """Refuse to restore under running services, or over records or state files."""
    if in_use:
        raise BackupError(
            f"the workspace is in use ({'; '.join(in_use[:3])})",
            target_name(ws),
            "stop the web server, timers, scans and workers first, or pass --force",
        )
    busy = holdings(tables) + present(ws.paths.root)
    if busy:
        shown = ", ".join(busy[:3]) + (f" and {len(busy) - 3} more" if len(busy) > 3 else "")
        raise BackupError(
            f"the workspace already holds records ({shown})",
            target_name(ws),
            "restore into a new workspace, or pass --force to replace everything in it",
        )


def target_name(ws: Workspace) -> str:
    """Return how errors name the workspace restored into (its folder, or its database)."""
    url = ws.config.database_url
    return str(ws.paths.root) if ws.config.is_sqlite else redacted_url(url)
