"""A backup taken while another process writes holds one moment of the workspace, whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import members, targets

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture
def make(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, str], Path]]:
    with targets(tmp_path, request) as maker:
        yield maker


def _dataward(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a process of its own, as another user of the workspace would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "-w", str(root), *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_holds_one_moment_while_another_process_writes(
    make: Callable[[str, str], Path], cli: Any, tmp_path: Path, backend: str
) -> None:
    """Another process adds a client (and its audit events) after the backup began reading.

    The writer runs from inside the backup, once the first batch of rows is read, and finishes
    before the backup reads the client and audit tables: without one snapshot the archive
    would hold the new client, events past the audit head, or counts that disagree with rows.
    """
    from dataward.core.backup import Progress, backup
    from dataward.core.engine.crypto import Keyring
    from dataward.core.workspace import open_workspace

    root = make(backend, Keyring.generate().to_json())
    assert cli("-w", str(root), "clients", "add", "northbank", "--name", "Northbank").code == 0
    writers: list[subprocess.CompletedProcess[str]] = []

    def write_meanwhile(n: int) -> None:
        if not writers:
            writers.append(_dataward(root, "clients", "add", "latecomer", "--name", "Late"))

    archive = tmp_path / "during.dwbackup"
    backup(open_workspace(root, env={}), archive, progress=Progress(advance=write_meanwhile))
    assert writers, "the writer never ran"
    assert writers[0].returncode == 0, writers[0].stderr

    parts = members(archive, (root / "dataward.key").read_text())
    manifest = json.loads(parts["manifest.json"])
    for entry in manifest["tables"]:
        assert parts[entry["member"]].count(b"\n") == entry["rows"], entry["name"]
    clients = [json.loads(r) for r in parts["data/core_client.jsonl"].splitlines()]
    assert sorted(c[1] for c in clients) == ["northbank", "operation"]
    events = [json.loads(r) for r in parts["data/core_auditevent.jsonl"].splitlines()]
    head = json.loads(parts["data/core_audithead.jsonl"])
    assert manifest["audit"] == {"seq": events[-1][1], "hash": events[-1][-1]}
    assert head[1:] == [events[-1][1], events[-1][-1]]
    assert "latecomer" not in {e[7] for e in events}

    now = cli("-w", str(root), "clients", "list", "--format", "json")
    assert "latecomer" in {c["slug"] for c in json.loads(now.out)}  # the write did happen
    target = make("sqlite", (root / "dataward.key").read_text())
    assert cli("-w", str(target), "restore", str(archive)).code == 0
    assert cli("-w", str(target), "audit", "verify").code == 0
