"""A restore refuses a workspace other processes use (web server, scan, sessions) unless forced."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import PG_ENV, build_source, dump, targets
from helpers import assert_one_line_error

HOLD = """
import sys
from django.db import connection
from dataward.core.locks import exclusive
from dataward.core.workspace import open_workspace
from dataward.errors import DatawardError
ws = open_workspace(sys.argv[1], env={})
connection.cursor().execute("SELECT 1")  # the database stays open, as in a running command
with exclusive(ws, "scan-1", 7001, DatawardError("busy")):  # the lock a running scan holds
    print("ready", flush=True)
    sys.stdin.read()
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    return build_source(tmp_path_factory.mktemp("source"), sqlite_template)


@pytest.fixture
def make(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str, str], Path]]:
    with targets(tmp_path, request) as maker:
        yield maker


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}


def test_sqlite_workspace_in_use_needs_force(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    """Another process has the database open and holds a scan's lock: both are named."""
    target = make("sqlite", source["key"])
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], env=_env(), text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "ready\n"
        before = dump(target)
        result = cli("-w", str(target), "restore", str(source["archive"]))
        assert_one_line_error(result, "the workspace is in use (a scan; process "
                              f"{holder.pid} has the database open)", "--force")  # fmt: skip
        assert dump(target) == before
        forced = cli("-w", str(target), "restore", str(source["archive"]), "--force")
        assert forced.code == 0, forced
        assert "warning: restored while in use (a scan)" in forced.err
        assert f"warning: restored while in use (process {holder.pid} " in forced.err
    finally:
        holder.communicate("", timeout=30)
    assert cli("-w", str(target), "audit", "verify").code == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_running_web_server_blocks_restore_until_stopped(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    """A real `dataward serve`: refused while it runs (idle, no request open), fine once stopped."""
    target = make("sqlite", source["key"])
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    server = subprocess.Popen(
        [sys.executable, "-c", code, "-w", str(target), "serve", "--port", str(_free_port()),
         "--workers", "1"],
        env=_env(), stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        lines = [server.stderr.readline() for _ in range(1)]
        while "is serving" not in lines[-1] and lines[-1] and len(lines) < 20:
            lines.append(server.stderr.readline())
        assert "is serving" in lines[-1], lines
        result = cli("-w", str(target), "restore", str(source["archive"]))
        assert_one_line_error(result, "the workspace is in use", "the web server")
    finally:
        server.terminate()
        server.communicate(timeout=60)
    assert cli("-w", str(target), "restore", str(source["archive"])).code == 0


@pytest.mark.postgres
def test_postgres_sessions_need_force(
    source: dict[str, Any], make: Callable[[str, str], Path], cli: Any
) -> None:
    """Another session on the database, as a web worker's pooled connection is."""
    import psycopg

    target = make("postgres", source["key"])
    url = os.environ[PG_ENV].rsplit("/", 1)[0] + "/" + _database_of(target)
    with psycopg.connect(url, application_name="dataward web", autocommit=True):
        result = cli("-w", str(target), "restore", str(source["archive"]))
        assert_one_line_error(result, "in use (1 database session (dataward web))")
        forced = cli("-w", str(target), "restore", str(source["archive"]), "--force")
        assert forced.code == 0, forced
        assert "warning: restored while in use (1 database session (dataward web))" in forced.err
    assert cli("-w", str(target), "audit", "verify").code == 0


def _database_of(root: Path) -> str:
    text = (root / "dataward.toml").read_text()
    url = next(line for line in text.splitlines() if line.startswith("url ="))
    return url.split('"')[1].rsplit("/", 1)[1]
