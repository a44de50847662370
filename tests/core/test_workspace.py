"""Creating and opening workspaces, and one-line errors for every broken part."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path

import pytest

from dataward.core.engine.crypto import Keyring
from helpers import assert_one_line_error


def test_init_creates_private_key_config_and_database(cli, tmp_path: Path) -> None:
    root = tmp_path / "w"
    result = cli("init", "--workspace", str(root))
    assert result.code == 0, result
    assert stat.S_IMODE((root / "dataward.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert (root / "dataward.toml").read_text().startswith("# dataward workspace")
    assert (root / "dataward.sqlite3").stat().st_size > 0
    again = cli("init", "--workspace", str(root))
    assert_one_line_error(again, "already exists")


def test_workspace_from_environment_and_cwd(cli, tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "envws"
    assert cli("init", DATAWARD_WORKSPACE=str(root)).code == 0
    assert cli("clients", "list", "-f", "json", DATAWARD_WORKSPACE=str(root)).out == "[]\n"
    monkeypatch.chdir(tmp_path)
    assert cli("init").code == 0
    assert (tmp_path / ".dataward" / "dataward.key").exists()


def test_global_options_work_after_the_subcommand(cli, tmp_path: Path) -> None:
    root = tmp_path / "w"
    cli("init", "-w", str(root))
    result = cli("clients", "list", "--format", "json", "--workspace", str(root))
    assert result.code == 0
    assert json.loads(result.out) == []


def test_migrate_command(cli, tmp_path: Path) -> None:
    root = tmp_path / "w"
    cli("init", "-w", str(root))
    result = cli("migrate", "-w", str(root))
    assert result.code == 0
    assert "up to date" in result.err


@pytest.fixture
def root(cli, tmp_path: Path, sqlite_template: Path) -> Path:
    """A workspace made by `dataward init` on a copy of the migrated schema (init's own
    migration run is covered by the init tests above; these tests damage what it made)."""
    import shutil

    from django.db import connections

    path = tmp_path / "w"
    path.mkdir()
    shutil.copy(sqlite_template, path / "dataward.sqlite3")
    assert cli("init", "-w", str(path)).code == 0
    connections.close_all()  # as when the init process exits, before files are damaged
    return path


def test_missing_workspace(cli, tmp_path: Path) -> None:
    assert_one_line_error(
        cli("clients", "list", "-w", str(tmp_path / "nope")), "no dataward workspace", "init"
    )


def test_missing_config(cli, root: Path) -> None:
    (root / "dataward.toml").unlink()
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "dataward.toml")


def test_init_never_replaces_an_existing_key(cli, root: Path) -> None:
    """A lost dataward.toml must not let init overwrite (or, on failure, delete) the key."""
    key = (root / "dataward.key").read_bytes()
    (root / "dataward.toml").unlink()
    assert_one_line_error(cli("init", "-w", str(root)), "key file already exists", "dataward.toml")
    assert (root / "dataward.key").read_bytes() == key
    assert not (root / "dataward.toml").exists()


def test_unreadable_config(cli, root: Path) -> None:
    (root / "dataward.toml").unlink()
    (root / "dataward.toml").mkdir()
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "cannot read")


def test_corrupt_config(cli, root: Path) -> None:
    (root / "dataward.toml").write_text("[database\nurl = 3")
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "not valid TOML", "line 1")


def test_wrong_type_in_config(cli, root: Path) -> None:
    (root / "dataward.toml").write_text("[database]\nurl = 3\n")
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "database.url")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[database]\nurl = "postgresql://dw:pw-in-file@db/dw"\n', "database password"),
        ('[database]\nurl = "postgresql://dw@db/dw?password=pw-in-file"\n', "database password"),
        ('[database]\nurl = ""\npassword = "pw-in-file"\n', "database.password"),
        ('[oidc]\nclient_secret = "pw-in-file"\n', "oidc.client_secret"),
        ('[smtp]\nhost = "mail"\n', "unknown setting smtp.host"),
        ('[databse]\nurl = ""\n', "unknown setting databse"),
    ],
)
def test_config_refuses_secrets_and_unknown_settings(cli, root: Path, text, expected) -> None:
    """Secrets belong in the environment or the key file; a typo is named, never ignored."""
    (root / "dataward.toml").write_text(text)
    result = cli("clients", "list", "-w", str(root))
    assert_one_line_error(result, expected, "dataward.toml")
    assert "pw-in-file" not in result.out + result.err


def test_init_refuses_a_password_in_the_database_url(cli, tmp_path: Path) -> None:
    url = "postgresql://dw:pw-on-cli@127.0.0.1:1/dw"
    result = cli("init", "-w", str(tmp_path / "w"), "--database-url", url)
    assert_one_line_error(result, "holds a password", "DATAWARD_DATABASE_URL")
    assert "pw-on-cli" not in result.out + result.err
    assert not (tmp_path / "w" / "dataward.toml").exists()


def test_bad_database_url(cli, root: Path) -> None:
    result = cli("clients", "list", "-w", str(root), DATAWARD_DATABASE_URL="mysql://x/y")
    assert_one_line_error(result, "DATAWARD_DATABASE_URL", "postgresql://")


def test_unreachable_postgres_hides_password(cli, root: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://dw:hunter2secret@127.0.0.1:{port}/dw"
    result = cli("clients", "list", "-w", str(root), DATAWARD_DATABASE_URL=url)
    assert_one_line_error(result, "cannot connect", f"127.0.0.1:{port}")
    assert "hunter2secret" not in result.err


def test_corrupt_database(cli, root: Path) -> None:
    (root / "dataward.sqlite3").write_bytes(b"this is not sqlite" * 500)
    for suffix in ("-wal", "-shm"):
        (root / f"dataward.sqlite3{suffix}").unlink(missing_ok=True)
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "corrupt", "restore")


def test_missing_database(cli, root: Path) -> None:
    (root / "dataward.sqlite3").unlink()
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "database file is missing")


def test_missing_key(cli, root: Path) -> None:
    (root / "dataward.key").unlink()
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "key file is missing")


def test_garbage_key(cli, root: Path) -> None:
    (root / "dataward.key").write_text('{"format": "dataward-keyring/1", "keys": 5}')
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "not a dataward keyring")


def test_wrong_key_file(cli, root: Path) -> None:
    (root / "dataward.key").write_text(Keyring.generate().to_json())
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "does not belong")


def test_wrong_key_from_environment(cli, root: Path) -> None:
    result = cli("clients", "list", "-w", str(root), DATAWARD_KEY="z" * 43)
    assert_one_line_error(result, "DATAWARD_KEY", "does not belong")


def test_key_with_same_id_but_other_secret(cli, root: Path) -> None:
    body = json.loads((root / "dataward.key").read_text())
    body["keys"][0]["secret"] = "B" * 43
    (root / "dataward.key").write_text(json.dumps(body))
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "does not match")


def test_key_from_environment_works(cli, tmp_path: Path) -> None:
    root = tmp_path / "envkey"
    assert cli("init", "-w", str(root), DATAWARD_KEY="k" * 43).code == 0
    assert not (root / "dataward.key").exists()
    ok = cli("clients", "list", "-w", str(root), DATAWARD_KEY="k" * 43)
    assert ok.code == 0, ok
    assert_one_line_error(cli("clients", "list", "-w", str(root)), "key file is missing")


def test_open_key_file_warns_and_fails_its_check(cli, root: Path) -> None:
    (root / "dataward.key").chmod(0o644)
    result = cli("assess", "-w", str(root), "-f", "json")
    assert "chmod 600" in result.err
    rows = json.loads(result.out)["results"]
    row = next(r for r in rows if r["check"] == "core_workspace_key_file_private")
    assert row["status"] == "fail"


def test_failed_init_leaves_nothing_half_made(cli, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = tmp_path / "w"
    url = f"postgresql://dw@127.0.0.1:{port}/dw"
    assert_one_line_error(cli("init", "-w", str(root), "--database-url", url), "cannot connect")
    assert not (root / "dataward.toml").exists()
    assert not (root / "dataward.key").exists()
    assert cli("init", "-w", str(root)).code == 0


def test_folder_names_are_paths_not_urls(cli, tmp_path: Path) -> None:
    root = tmp_path / "a#b%41"
    assert cli("init", "-w", str(root)).code == 0
    assert (root / "dataward.sqlite3").stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a#b%41"]
