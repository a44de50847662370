"""A restore refuses what it cannot trust or must not do, and leaves the workspace as it was."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import (
    dump,
    key_text,
    members,
    reseal,
    rows_of,
    set_rows,
    state,
    targets,
)
from dataward.cli import main
from helpers import assert_one_line_error

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    """A small workspace (clients, scoped users, state files) and its backup."""
    import shutil

    from dataward.core.workspace import init_workspace

    root = tmp_path_factory.mktemp("source") / "ws"
    root.mkdir()
    shutil.copy(sqlite_template, root / "dataward.sqlite3")
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
    archive = root.parent / "small.dwbackup"
    assert main([*w, "backup", str(archive)]) == 0
    return {"root": root, "archive": archive, "key": key_text(root), "rows": dump(root)}


@pytest.fixture
def make(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, str], Path]]:
    with targets(tmp_path, request) as maker:
        yield maker


@pytest.fixture
def busy(source: dict[str, Any], make: Callable[[str, str], Path], cli: Any) -> Path:
    """A SQLite workspace with the source's key that holds records and files of its own."""
    root = make("sqlite", source["key"])
    assert cli("-w", str(root), "clients", "add", "telora", "--name", "Telora").code == 0
    (root / "monitoring.yaml").write_text("lookback_days: 9\n")
    return root


def _flip(data: bytes, member: str, where: str = "data") -> bytes:
    """Flip one byte of a member's stored data, or of its name in the central directory."""
    import io

    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    if where == "name":
        at = data.rindex(member.encode()) + len(member) // 2
    else:  # the local header's name and extra field lengths, then the data
        off = info.header_offset
        names = int.from_bytes(data[off + 26 : off + 28], "little")
        extra = int.from_bytes(data[off + 28 : off + 30], "little")
        at = off + 30 + names + extra + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1 :]


def _plain_zip(path: Path) -> bytes:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "hello")
    return path.read_bytes()


DAMAGE: list[tuple[str, Callable[[bytes, Path], bytes], str]] = [
    ("flipped byte in a table", lambda d, p: _flip(d, "data/core_client.jsonl"), "damaged"),
    ("flipped byte in a state file", lambda d, p: _flip(d, "files/monitoring.yaml"), "damaged"),
    ("flipped byte in the manifest", lambda d, p: _flip(d, "manifest.json"), "damaged"),
    (
        "flipped byte in a member's name",
        lambda d, p: _flip(d, "data/core_user.jsonl", "name"),
        "damaged",
    ),
    ("cut in half", lambda d, p: d[: len(d) // 2], "damaged or truncated"),
    ("last byte cut", lambda d, p: d[:-1], "damaged or truncated"),
    ("empty file", lambda d, p: b"", "not a dataward backup"),
    ("text file", lambda d, p: b"id,name\n1,northbank\n", "not a dataward backup"),
    ("gzip file", lambda d, p: gzip.compress(d), "not a dataward backup"),
    ("zip of something else", lambda d, p: _plain_zip(p), "not a dataward backup"),
]


@pytest.mark.parametrize(("damage", "needle"), [pytest.param(f, n, id=i) for i, f, n in DAMAGE])
def test_damaged_archive_is_refused_and_nothing_changes(
    source: dict[str, Any], busy: Path, cli: Any, tmp_path: Path,
    damage: Callable[[bytes, Path], bytes], needle: str,
) -> None:  # fmt: skip
    bad = tmp_path / "bad.dwbackup"
    bad.write_bytes(damage(source["archive"].read_bytes(), tmp_path / "other.zip"))
    before, files = dump(busy), state(busy)
    result = cli("-w", str(busy), "restore", str(bad), "--force")
    assert_one_line_error(result, needle, str(bad))
    assert dump(busy) == before
    assert state(busy) == files
    assert not [p for p in busy.iterdir() if p.name.startswith(".restore-")]


def test_altered_manifest_without_the_key_is_refused(
    source: dict[str, Any], busy: Path, cli: Any, tmp_path: Path
) -> None:
    """Rows added and the checksums fixed, but the seal cannot be remade without the key."""
    parts = members(source["archive"])
    parts["manifest.json"] = parts["manifest.json"].replace(b'"rows": 3', b'"rows": 4', 1)
    bad = tmp_path / "altered.dwbackup"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = cli("-w", str(busy), "restore", str(bad), "--force")
    assert_one_line_error(result, "does not match its seal")


def test_wrong_key_is_refused_naming_the_key_needed(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    from dataward.core.engine.crypto import Keyring

    other = make("sqlite", Keyring.generate().to_json())
    before = dump(other)
    result = cli("-w", str(other), "restore", str(source["archive"]), "--force")
    needed = Keyring.from_text(source["key"], "t").active_id
    assert_one_line_error(result, f"needs key {needed}", "DATAWARD_KEY", "dataward.key")
    assert dump(other) == before


def test_old_backup_restores_after_the_key_was_rotated(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    """The keyring holds the backup's key and a newer one: the chain goes on under the newer."""
    target = make("sqlite", source["key"])
    assert cli("-w", str(target), "restore", str(source["archive"])).code == 0
    assert cli("-w", str(target), "keys", "rotate").code == 0
    result = cli("-w", str(target), "restore", str(source["archive"]), "--force")
    assert result.code == 0, result
    rows = dump(target)
    assert [r[4] for r in rows["core_auditevent"][-2:]] == ["keys.rotate", "workspace.restore"]
    assert rows["core_client"] == source["rows"]["core_client"]  # contacts decrypt (old key)
    assert len(rows["core_keycheck"]) == 2
    assert cli("-w", str(target), "audit", "verify").code == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_target_with_records_needs_force(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any, backend: str
) -> None:
    target = make(backend, source["key"])
    assert cli("-w", str(target), "clients", "add", "telora", "--name", "Telora").code == 0
    before = dump(target)
    result = cli("-w", str(target), "restore", str(source["archive"]))
    assert_one_line_error(result, "already holds records (core_auditevent, core_client)",
                          "--force")  # fmt: skip
    assert dump(target) == before
    result = cli("-w", str(target), "restore", str(source["archive"]), "--force")
    assert result.code == 0, result
    after = dump(target)
    assert sorted(r[1] for r in after["core_client"]) == ["carewell", "northbank", "operation"]
    assert after["core_user"] == source["rows"]["core_user"]
    assert (target / "monitoring.yaml").read_text() == "internal_domains: [bpo.example]\n"
    assert cli("-w", str(target), "audit", "verify").code == 0


def test_target_with_state_files_needs_force(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    target = make("sqlite", source["key"])
    (target / "playbooks").mkdir()
    (target / "playbooks" / "ours.yaml").write_text("name: ours\n")
    result = cli("-w", str(target), "restore", str(source["archive"]))
    assert_one_line_error(result, "already holds records (playbooks)")
    assert cli("-w", str(target), "restore", str(source["archive"]), "--force").code == 0
    assert not (target / "playbooks").exists()  # replaced by the backup, which has none
    assert (target / "evidence" / ("ab" * 32)).read_bytes() == b"signed policy"


def _duplicate_event(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
    rows = rows_of(parts, "core_auditevent")
    set_rows(parts, "core_auditevent", [*rows, rows[0]])  # the same primary key twice


def _dangling_scope(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
    rows = rows_of(parts, "core_user_clients")
    set_rows(parts, "core_user_clients", [*rows, [rows[-1][0] + 1, rows[-1][1], 987654]])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "corrupt", [_duplicate_event, _dangling_scope], ids=["duplicate key", "missing client"]
)
def test_restore_failing_midway_changes_nothing(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any, tmp_path: Path,
    backend: str, corrupt: Callable[[dict[str, Any], dict[str, bytes]], None],
) -> None:  # fmt: skip
    """The archive is sealed and intact; the database refuses one row after others were loaded."""
    target = make(backend, source["key"])
    assert cli("-w", str(target), "clients", "add", "telora", "--name", "Telora").code == 0
    (target / "reports").mkdir()
    (target / "reports" / "telora.html").write_text("<p>ours</p>")
    bad = reseal(source["archive"], tmp_path / "bad.dwbackup", source["key"], corrupt)
    before, files = dump(target), state(target)
    result = cli("-w", str(target), "restore", str(bad), "--force")
    assert_one_line_error(result, "the workspace is unchanged")
    assert dump(target) == before
    assert state(target) == files
    assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]
    assert cli("-w", str(target), "audit", "verify").code == 0


SCHEMA: list[tuple[str, Callable[[dict[str, Any], dict[str, bytes]], None], str]] = [
    (
        "newer migration",
        lambda m, p: m["migrations"]["core"].append("9999_future"),
        "newer schema (migration core.9999_future is unknown here)",
    ),
    ("older migration", lambda m, p: m["migrations"]["core"].pop(), "older schema"),
    ("newer format", lambda m, p: m.update(format="dataward-backup/2"), "newer than this"),
    ("other columns", lambda m, p: m["tables"][0]["columns"].pop(), "differs from this"),
    ("malformed manifest", lambda m, p: m["keys"].append("k1"), "malformed manifest"),
]


@pytest.mark.parametrize(("change", "needle"), [pytest.param(c, n, id=i) for i, c, n in SCHEMA])
def test_other_schema_is_refused(
    source: dict[str, Any], busy: Path, cli: Any, tmp_path: Path,
    change: Callable[[dict[str, Any], dict[str, bytes]], None], needle: str,
) -> None:  # fmt: skip
    bad = reseal(source["archive"], tmp_path / "schema.dwbackup", source["key"], change)
    before = dump(busy)
    assert_one_line_error(cli("-w", str(busy), "restore", str(bad), "--force"), needle)
    assert dump(busy) == before


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_only_an_admin_of_the_whole_operation(
    source: dict[str, Any], busy: Path, cli: Any, tmp_path: Path, command: str
) -> None:
    assert cli("-w", str(busy), "users", "add", "carol", "--role", "auditor").code == 0
    path = tmp_path / "x.dwbackup" if command == "backup" else source["archive"]
    result = cli("-w", str(busy), "--as", "carol", command, str(path), "--force")
    assert_one_line_error(result, "carol (auditor) may not manage-clients")
    assert not (tmp_path / "x.dwbackup").exists()
