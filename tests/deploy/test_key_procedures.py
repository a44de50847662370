"""The key procedures docs/deploy.md gives, run as written against real workspaces."""

from __future__ import annotations

import base64
import json
import secrets
import shutil
from pathlib import Path
from typing import Any


def assert_one_line_error(result: Any, needle: str) -> None:
    """Assert the CLI failed with exit 2 and one 'error:' line naming the needle."""
    assert result.code == 2, result
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("error: "), result.err
    assert needle in result.err, result.err


def _workspace(folder: Path, template: Path, env: dict[str, str]) -> str:
    """Create a workspace as `dataward init` does (from the migrated template, for speed)."""
    from dataward.core.workspace import init_workspace

    folder.mkdir()
    shutil.copy(template, folder / "dataward.sqlite3")
    init_workspace(folder, env=env)
    return str(folder)


def test_rotating_a_key_kept_in_a_secret_manager(
    cli: Any, tmp_path: Path, sqlite_template: Path
) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()  # what the secret manager holds
    root = _workspace(tmp_path / "ws", sqlite_template, {"DATAWARD_KEY": key})
    assert not (tmp_path / "ws" / "dataward.key").exists()
    assert cli("-w", root, "clients", "add", "acme", "--name", "Acme", DATAWARD_KEY=key).code == 0
    refused = cli("-w", root, "keys", "rotate", DATAWARD_KEY=key)
    assert_one_line_error(refused, "DATAWARD_KEY")
    # The procedure: the current key into a 0600 key file, rotate without DATAWARD_KEY, the new
    # keyring (one line) back into the secret manager, the file removed.
    key_file = tmp_path / "ws" / "dataward.key"
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    assert cli("-w", root, "keys", "rotate").code == 0
    keyring = json.loads(key_file.read_text())
    one_line = json.dumps(keyring, separators=(",", ":"))
    assert not any(c.isspace() or c in "'\\$" for c in one_line)  # safe in an environment file
    key_file.unlink()
    listed = json.loads(cli("-w", root, "keys", "list", "-f", "json", DATAWARD_KEY=one_line).out)
    assert [k["active"] for k in listed] == [False, True]  # the old key stays to read old data
    assert cli("-w", root, "audit", "verify", DATAWARD_KEY=one_line).code == 0
    assert cli("-w", root, "clients", "show", "acme", DATAWARD_KEY=one_line).code == 0
    stale = cli("-w", root, "audit", "verify", DATAWARD_KEY=key)  # the old secret alone
    assert stale.code == 1  # opens, but the links sealed since the rotation need the new key
    assert "sealed with unknown key" in stale.out


def test_a_lost_key_cannot_be_replaced_by_another(
    cli: Any, tmp_path: Path, sqlite_template: Path
) -> None:
    root = _workspace(tmp_path / "ws", sqlite_template, {})
    key_file = tmp_path / "ws" / "dataward.key"
    key_file.unlink()
    assert_one_line_error(cli("-w", root, "clients", "list"), "workspace key file is missing")
    other = base64.b64encode(secrets.token_bytes(32)).decode()
    wrong = cli("-w", root, "clients", "list", DATAWARD_KEY=other)
    assert_one_line_error(wrong, "the workspace key does not belong to this database")
