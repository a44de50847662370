"""Shared pieces of the backup tests: workspaces with a given key, table dumps, resealed archives.

Imported as ``core.test_backup_support`` (tests/ is on the path); it holds no tests itself.
"""

from __future__ import annotations

import contextlib
import hashlib
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
from dataward.core.engine.backup_crypto import ChunkReader, ChunkWriter
from dataward.core.engine.backup_format import MANIFEST, canonical
from dataward.core.engine.crypto import Keyring

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


def build_source(base: Path, template: Path, extra_mib: int = 0) -> dict[str, Any]:
    """Make a small workspace (clients, a scoped user, state files) and back it up once.

    ``extra_mib`` adds that much random evidence, so the archive spans several 1 MiB chunks.
    """
    from dataward.cli import main
    from dataward.core.workspace import init_workspace

    root = base / "ws"
    root.mkdir()
    shutil.copy(template, root / "dataward.sqlite3")
    init_workspace(root, env={})
    w = ["-w", str(root)]
    for slug in ("northbank", "carewell"):
        assert main([*w, "clients", "add", slug, "--name", slug.title(),
                     "--security-contact", f"soc@{slug}.example"]) == 0  # fmt: skip
    assert main([*w, "users", "add", "alice", "--role", "analyst", "--client", "northbank"]) == 0
    (root / "monitoring.yaml").write_text("internal_domains: [bpo.example]\n")
    (root / "rules").mkdir()
    (root / "rules" / "local.yml").write_text("title: local rule\n")
    (root / "evidence").mkdir()
    (root / "evidence" / ("ab" * 32)).write_bytes(b"signed policy")
    if extra_mib:
        (root / "evidence" / ("cd" * 32)).write_bytes(os.urandom(extra_mib * 2**20))
    archive = base / "small.dwbackup"
    assert main([*w, "backup", str(archive)]) == 0
    return {"root": root, "archive": archive, "key": key_text(root), "rows": dump(root)}


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


def raw_dump(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return every table of a SQLite workspace as stored (quick: no Django, nothing decrypted)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(root / "dataward.sqlite3")) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: db.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}  # noqa: S608


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


def ring(key: str) -> Keyring:
    """Return the keyring a key file's text holds."""
    return Keyring.from_text(key, "test")


def members(archive: Path, key: str) -> dict[str, bytes]:
    """Return every member of an archive, decrypted and decompressed."""
    with archive.open("rb") as raw:
        reader = ChunkReader(raw, ring(key), str(archive), "")
        with zipfile.ZipFile(reader) as zf:  # type: ignore[arg-type]
            return {name: zf.read(name) for name in zf.namelist()}


def seal(parts: dict[str, bytes], out: Path, key: str, key_id: str | None = None) -> Path:
    """Write members as an encrypted archive under ``key`` (its active key, or ``key_id``)."""
    keyring = ring(key)
    with out.open("wb") as raw:
        writer = ChunkWriter(raw, keyring, key_id or keyring.active_id)
        with zipfile.ZipFile(writer, "w") as zf:  # type: ignore[arg-type]  # stored: quick
            for name, data in parts.items():
                zf.writestr(name, data)
        writer.close()
    return out


def reseal(
    archive: Path, out: Path, key: str, change: Callable[[dict[str, Any], dict[str, bytes]], None]
) -> Path:
    """Write a copy of an archive changed by ``change(manifest, members)``, correctly encrypted.

    Checksums, sizes and row counts are recomputed, so only the change itself is wrong: this is
    how a backup holding a row the database refuses, or a crafted file name, is made.
    """
    parts = members(archive, key)
    manifest = json.loads(parts.pop(MANIFEST))
    change(manifest, parts)
    for entry in [*manifest["tables"], *manifest["files"]]:
        data = parts.get(entry["member"], b"")
        entry["bytes"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        if "rows" in entry:
            entry["rows"] = data.count(b"\n")
    parts[MANIFEST] = canonical(manifest)
    return seal(parts, out, key)


def rows_of(parts: dict[str, bytes], table: str) -> list[list[Any]]:
    """Return the rows of a table's data member."""
    return [json.loads(line) for line in parts[f"data/{table}.jsonl"].splitlines()]


def set_rows(parts: dict[str, bytes], table: str, rows: list[list[Any]]) -> None:
    """Replace the rows of a table's data member."""
    text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
    parts[f"data/{table}.jsonl"] = text.encode()
