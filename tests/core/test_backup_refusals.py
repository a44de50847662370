"""A restore refuses what it cannot trust or must not do, and leaves the workspace as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import (
    build_source,
    dump,
    reseal,
    rows_of,
    set_rows,
    state,
    targets,
)
from helpers import assert_one_line_error

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    """A small workspace (clients, scoped users, state files) and its backup."""
    return build_source(tmp_path_factory.mktemp("source"), sqlite_template)


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


def test_records_made_with_an_older_key_need_that_key(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any, tmp_path: Path
) -> None:
    """Encrypted with the newest key, whose workspace also held an older one: both are needed."""
    from dataward.core.engine.crypto import Keyring

    old = Keyring.from_text(source["key"], "t")
    both = old.rotate()
    newest = Keyring(active_id=both.active_id, keys=(both.active,))

    def rotated(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
        manifest["keys"].append({"id": both.active_id, "check": both.check_value(both.active_id)})

    archive = reseal(source["archive"], tmp_path / "rotated.dwbackup", both.to_json(), rotated)
    target = make("sqlite", newest.to_json())
    before = dump(target)
    result = cli("-w", str(target), "restore", str(archive), "--force")
    assert_one_line_error(result, f"needs key {old.active_id}", str(archive))
    assert dump(target) == before


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


def _late_missing_value(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
    """Add a row missing a required value to the last table loaded that can hold one."""
    from dataward.core.backup_tables import managed_tables

    tables = {t.name: t for t in managed_tables()}
    for entry in reversed(manifest["tables"]):
        table = tables[entry["name"]]
        required = [f for f in table.fields[1:] if not f.null]
        if table.kinds[0] == "int" and required:
            break
    late = [987654321, *([None] * (len(table.fields) - 1))]
    set_rows(parts, table.name, [*rows_of(parts, table.name), late])
    assert entry is manifest["tables"][-1] or len(manifest["tables"]) - 5 < (
        manifest["tables"].index(entry)
    )  # one of the last tables: most others are loaded by then


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "corrupt",
    [_duplicate_event, _dangling_scope, _late_missing_value],
    ids=["duplicate key", "missing client", "late table"],
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
    ("other inner format", lambda m, p: m.update(format="dataward-backup/3"), "malformed"),
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
