"""Shared pieces of the backup tests: workspaces with a given key, table dumps, resealed archives.

Imported as ``core.test_backup_support`` (tests/ is on the path); it holds no tests itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dataward.core.backup_files import STATE_ENTRIES
from dataward.core.engine.backup_format import MANIFEST, SEAL, canonical, seal_of

PG_ENV = "DATAWARD_TEST_POSTGRES_URL"
Dump = dict[str, list[tuple[Any, ...]]]


def key_text(root: Path) -> str:
    """Return a workspace's keyring as its key file holds it."""
    return (root / "dataward.key").read_text()


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ[PG_ENV], autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def targets(base: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, str], Path]]:
    """Yield a maker of empty workspaces (``sqlite`` or ``postgres``) holding a given keyring."""
    from django.db import connections

    from dataward.core.engine.workspace import atomic_write
    from dataward.core.workspace import init_workspace

    made: list[str] = []

    def make(backend: str, key: str) -> Path:
        root = base / f"target-{len(made)}-{backend}"
        url = ""
        if backend == "postgres":
            if not os.environ.get(PG_ENV):
                pytest.skip(f"PostgreSQL not available: set {PG_ENV}")
            template = request.getfixturevalue("pg_template")
            name = f"dw_bk_{uuid.uuid4().hex[:12]}"
            connections.close_all()
            _pg(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            made.append(name)
            url = os.environ[PG_ENV].rsplit("/", 1)[0] + f"/{name}"
        else:
            made.append("")
            root.mkdir()
            shutil.copy(request.getfixturevalue("sqlite_template"), root / "dataward.sqlite3")
        init_workspace(root, env={"DATAWARD_KEY": key}, database_url=url)
        atomic_write(root / "dataward.key", key.encode(), mode=0o600)
        return root

    try:
        yield make
    finally:
        connections.close_all()
        for name in filter(None, made):
            with contextlib.suppress(Exception):
                _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dump(root: Path) -> Dump:
    """Return every managed table's rows, read through Django (values typed, fields decrypted)."""
    from dataward.core.backup_tables import managed_tables
    from dataward.core.workspace import open_workspace

    open_workspace(root, env={})
    out = {}
    for table in managed_tables():
        names = [f.attname for f in table.fields]
        rows = table.model._base_manager.order_by("pk").values_list(*names)
        out[table.name] = [tuple(_plain(v) for v in row) for row in rows]
    return out


def _plain(value: Any) -> Any:
    """Make JSON values comparable across backends (jsonb reorders keys; dicts do not care)."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def without_tail(rows: Dump, last_seq: int) -> Dump:
    """Drop audit events after ``last_seq`` and the head row (a restore appends its own event)."""
    kept = dict(rows)
    kept["core_auditevent"] = [r for r in rows["core_auditevent"] if r[1] <= last_seq]
    kept.pop("core_audithead")
    return kept


def last_seq(rows: Dump) -> int:
    """Return the newest audit event's sequence number in a dump."""
    return int(max(r[1] for r in rows["core_auditevent"]))


def state(root: Path) -> dict[str, bytes]:
    """Return every state file and the audit anchor of a workspace, by relative path."""
    found = {}
    for entry in (*STATE_ENTRIES, "audit.head"):
        top = root / entry
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def members(archive: Path) -> dict[str, bytes]:
    """Return every member of an archive, decompressed."""
    with zipfile.ZipFile(archive) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def reseal(
    archive: Path, out: Path, key: str, change: Callable[[dict[str, Any], dict[str, bytes]], None]
) -> Path:
    """Write a copy of an archive changed by ``change(manifest, members)``, correctly sealed.

    Checksums, sizes and row counts are recomputed, so only the change itself is wrong: this is
    how a backup holding a row the database refuses is made.
    """
    from dataward.core.engine.crypto import Keyring

    parts = members(archive)
    manifest = json.loads(parts.pop(MANIFEST))
    parts.pop(SEAL)
    change(manifest, parts)
    for entry in [*manifest["tables"], *manifest["files"]]:
        data = parts[entry["member"]]
        entry["bytes"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        if "rows" in entry:
            entry["rows"] = data.count(b"\n")
    ring = Keyring.from_text(key, "test")
    body = canonical(manifest)
    seal = {"key_id": ring.active_id, "hmac": seal_of(body, ring, ring.active_id)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        zf.writestr(MANIFEST, body)
        zf.writestr(SEAL, json.dumps(seal))
    out.write_bytes(buf.getvalue())
    return out


def rows_of(parts: dict[str, bytes], table: str) -> list[list[Any]]:
    """Return the rows of a table's data member."""
    return [json.loads(line) for line in parts[f"data/{table}.jsonl"].splitlines()]


def set_rows(parts: dict[str, bytes], table: str, rows: list[list[Any]]) -> None:
    """Replace the rows of a table's data member."""
    text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
    parts[f"data/{table}.jsonl"] = text.encode()
