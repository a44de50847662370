"""Backup and restore stream: a table of wide rows never sits in memory whole."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.test_backup_support import targets

ROWS, WIDTH = 1000, 24 * 2**10  # 24 MiB of incompressible session data in one table
MEASURE = """
import json, sys
from pathlib import Path
from dataward.core.workspace import open_workspace

def grown(run):
    Path("/proc/self/clear_refs").write_text("5")  # the peak restarts from the current size
    status = dict(l.split(":", 1) for l in open("/proc/self/status"))
    start = int(status["VmHWM"].split()[0])
    run()
    status = dict(l.split(":", 1) for l in open("/proc/self/status"))
    return (int(status["VmHWM"].split()[0]) - start) // 1024

source, archive, target = sys.argv[1:]
ws = open_workspace(source, env={})
from dataward.core import backup, backup_restore  # imported before measuring
from dataward.core.engine import backup_crypto, backup_format
made = grown(lambda: backup.backup(ws, Path(archive)))
ws = open_workspace(target, env={})
back = grown(lambda: backup_restore.restore(ws, Path(archive), force=True))
print(json.dumps({"backup_mb": made, "restore_mb": back}))
"""


def test_wide_rows_stream_through_backup_and_restore(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """24 MiB of rows in one table: each command's peak grows by less than that.

    Reading 5,000 rows at a time (the earlier batch) holds all of them, several times over while
    encoding or parsing (peaks grew by about 96 and 71 MiB); batches of about 1 MiB keep the
    growth to a few MiB, whatever the table's size.
    """
    from django.db import connections

    from dataward.core.engine.crypto import Keyring

    key = Keyring.generate().to_json()
    with targets(tmp_path, request) as make:
        source, target = make("sqlite", key), make("sqlite", key)
        with contextlib.closing(sqlite3.connect(source / "dataward.sqlite3")) as db, db:
            db.executemany(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES (?, ?, ?)",
                [(f"s{i:031d}", base64.b64encode(os.urandom(WIDTH * 3 // 4)).decode(),
                  "2030-01-01 00:00:00") for i in range(ROWS)],
            )  # fmt: skip
        connections.close_all()  # this process made the target: let the measured one restore
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
        archive = tmp_path / "wide.dwbackup"
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, str(source), str(archive), str(target)],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        grown = json.loads(proc.stdout)
        assert archive.stat().st_size > ROWS * WIDTH * 0.7  # the rows are in it (base64 packs)
        with contextlib.closing(sqlite3.connect(target / "dataward.sqlite3")) as db:
            assert db.execute("SELECT count(*) FROM django_session").fetchone() == (ROWS,)
    assert grown["backup_mb"] < 20, grown  # under the table's 24 MiB: about 96 MiB when whole
    assert grown["restore_mb"] < 20, grown  # about 71 MiB when whole
