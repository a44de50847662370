"""Back up the demo workspace and restore it: identical row for row, on both backends."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import (
    dump,
    key_text,
    last_seq,
    members,
    state,
    targets,
    without_tail,
)
from dataward.cli import main

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module")
def demo_backup(demo_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Back the demo workspace up once; keep what it held just before."""
    before = dump(demo_ws)
    files = state(demo_ws)
    archive = tmp_path_factory.mktemp("backup") / "demo.dwbackup"
    assert main(["-w", str(demo_ws), "backup", str(archive)]) == 0
    return {"rows": before, "files": files, "archive": archive, "key": key_text(demo_ws)}


@pytest.fixture
def make(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, str], Path]]:
    with targets(tmp_path, request) as maker:
        yield maker


def _assert_same(root: Path, rows: dict[str, Any], files: dict[str, bytes], cli: Any) -> None:
    """Assert a restored workspace holds exactly the backed-up rows and files; its chain holds."""
    after = dump(root)
    seq = last_seq(rows)
    assert without_tail(after, seq) == without_tail(rows, seq)
    restored = [r for r in after["core_auditevent"] if r[1] > seq]
    assert [r[4] for r in restored] == ["workspace.restore"]
    assert {k: v for k, v in state(root).items() if k != "audit.head"} == {
        k: v for k, v in files.items() if k != "audit.head"
    }
    result = cli("-w", str(root), "audit", "verify")
    assert result.code == 0, result
    assert f"{seq + 1} events verified" in result.out


@pytest.mark.parametrize("backend", BACKENDS)
def test_demo_restores_row_for_row(
    demo_backup: dict[str, Any], make: Callable[[str, str], Path], cli: Any, backend: str
) -> None:
    """SQLite to SQLite, and SQLite to PostgreSQL: every table, every state file, the chain."""
    target = make(backend, demo_backup["key"])
    result = cli("-w", str(target), "restore", str(demo_backup["archive"]))
    assert result.code == 0, result
    assert "restored" in result.err
    _assert_same(target, demo_backup["rows"], demo_backup["files"], cli)
    # New rows get ids after the restored ones (PostgreSQL's sequences were reset).
    assert cli("-w", str(target), "clients", "add", "newco", "--name", "NewCo").code == 0
    added = cli("-w", str(target), "users", "add", "zed", "--role", "analyst", "--client", "newco")
    assert added.code == 0, added


@pytest.mark.postgres
def test_postgres_backup_restores_into_sqlite(
    demo_backup: dict[str, Any], make: Callable[[str, str], Path], cli: Any, tmp_path: Path
) -> None:
    """PostgreSQL to SQLite: the demo moved to PostgreSQL, backed up there, restored on SQLite."""
    pg = make("postgres", demo_backup["key"])
    assert cli("-w", str(pg), "restore", str(demo_backup["archive"])).code == 0
    rows, files = dump(pg), state(pg)
    archive = tmp_path / "from-pg.dwbackup"
    assert cli("-w", str(pg), "backup", str(archive)).code == 0
    manifest = json.loads(members(archive, demo_backup["key"])["manifest.json"])
    assert manifest["backend"] == "postgresql"
    lite = make("sqlite", demo_backup["key"])
    assert cli("-w", str(lite), "restore", str(archive)).code == 0
    after = dump(lite)
    seq = last_seq(rows)
    assert without_tail(after, seq) == without_tail(rows, seq)
    assert {k: v for k, v in state(lite).items() if k != "audit.head"} == {
        k: v for k, v in files.items() if k != "audit.head"
    }
    assert cli("-w", str(lite), "audit", "verify").code == 0


def test_manifest_describes_the_snapshot(demo_ws: Path, demo_backup: dict[str, Any]) -> None:
    """Versions, schema, keys, audit head, every table with its rows and checksums."""
    from django.db import connection

    from dataward.core.backup_tables import managed_tables
    from dataward.core.workspace import open_workspace

    parts = members(demo_backup["archive"], demo_backup["key"])
    manifest = json.loads(parts["manifest.json"])
    ws = open_workspace(demo_ws, env={})
    assert manifest["format"] == "dataward-backup/2"
    assert manifest["backend"] == "sqlite"
    assert manifest["keys"] == [
        {"id": k.id, "check": ws.keyring.check_value(k.id)} for k in ws.keyring.keys
    ]
    assert set(manifest["migrations"]) >= {"core", "contenttypes", "auth", "axes", "otp_totp"}
    names = {t["name"] for t in manifest["tables"]}
    present = set(connection.introspection.table_names()) - {"django_migrations"}
    assert names == present == {t.name for t in managed_tables()}
    assert {"core_user_clients", "django_content_type", "auth_permission", "otp_totp_totpdevice",
            "axes_accessattempt", "web_apitoken", "django_session"} <= names  # fmt: skip
    for entry in manifest["tables"]:
        assert parts[entry["member"]].count(b"\n") == entry["rows"]
        assert entry["rows"] == len(demo_backup["rows"][entry["name"]])
    events = demo_backup["rows"]["core_auditevent"]
    assert manifest["audit"] == {"seq": events[-1][1], "hash": events[-1][-1]}
    assert {f["path"] for f in manifest["files"]} == set(demo_backup["files"]) - {"audit.head"}
    assert manifest["tables_not_backed_up"] == []


def test_archive_never_holds_the_key(demo_backup: dict[str, Any]) -> None:
    """Neither the key file, nor any secret in it, in any usual spelling, nor a derived subkey."""
    ring = json.loads(demo_backup["key"])
    from dataward.core.engine.crypto import Keyring

    keyring = Keyring.from_text(demo_backup["key"], "test")
    needles = [demo_backup["key"].encode(), json.dumps(ring).encode()]
    for key in keyring.keys:
        needles += [key.secret, key.secret.hex().encode(), base64.b64encode(key.secret),
                    base64.urlsafe_b64encode(key.secret).rstrip(b"=")]  # fmt: skip
        needles += [key.derive(p) for p in ("fingerprint", "encrypt", "audit", "check", "backup",
                                            "backup-archive")]  # fmt: skip
    raw = demo_backup["archive"].read_bytes()
    for name, data in [*members(demo_backup["archive"], demo_backup["key"]).items(),
                       ("(file)", raw)]:  # fmt: skip
        for needle in needles:
            assert needle not in data, name
        assert b'"secret"' not in data, name


def test_archive_shows_only_its_format_and_key_id(demo_backup: dict[str, Any]) -> None:
    """In clear: the format line and a header naming the key; no table, client or user names."""
    raw = demo_backup["archive"].read_bytes()
    parts = members(demo_backup["archive"], demo_backup["key"])
    first, second, _ = raw.split(b"\n", 2)
    assert first == b"dataward-backup/2"
    header = json.loads(second)
    assert set(header) == {"check", "key_id", "salt"}
    assert header["key_id"] == json.loads(demo_backup["key"])["active"]
    body = raw[len(first) + len(second) + 2 :]
    clients = [json.loads(r)[1] for r in parts["data/core_client.jsonl"].splitlines()]
    users = [json.loads(r) for r in parts["data/core_user.jsonl"].splitlines()]
    names = [n.encode() for n in clients if len(n) > 4]
    names += [b"core_client", b"core_auditevent", b"manifest.json", b"workspace.init"]
    names += [v.encode() for row in users for v in row if isinstance(v, str) and "@" in v]
    assert len(names) > 6
    assert not body.startswith(b"PK")
    for needle in names:
        assert needle not in body, needle


def test_archive_is_private_and_never_overwritten(demo_ws: Path, cli: Any, tmp_path: Path) -> None:
    archive = tmp_path / "ws.dwbackup"
    assert cli("-w", str(demo_ws), "backup", str(archive)).code == 0
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    before = archive.read_bytes()
    result = cli("-w", str(demo_ws), "backup", str(archive))
    assert result.code == 2
    assert "the file exists" in result.err
    assert "--force" in result.err
    assert archive.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [archive.name]  # no temporary file left
    assert cli("-w", str(demo_ws), "backup", str(archive), "--force").code == 0
    assert archive.read_bytes() != before
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_backup_is_audited(demo_ws: Path, demo_backup: dict[str, Any], cli: Any) -> None:
    result = cli("-w", str(demo_ws), "audit", "log", "--limit", "1", "--format", "json")
    event = json.loads(result.out)[0]
    assert event["action"] == "workspace.backup"
    assert set(event["detail"]) >= {"file", "sha256", "rows", "tables", "audit_seq"}
