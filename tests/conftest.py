"""Shared fixtures: workspaces on SQLite and on the PostgreSQL server that .ci/run starts."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataward.cli import main

PG_ENV = "DATAWARD_TEST_POSTGRES_URL"
PG_SKIP = f"PostgreSQL not available: set {PG_ENV} (bash .ci/run starts a server and sets it)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def pytest_configure(config: pytest.Config) -> None:
    """Configure Django once so test modules may import models; workspaces swap the database."""
    from dataward.core.engine.workspace import WorkspaceConfig, WorkspacePaths
    from dataward.runtime import activate

    activate(WorkspaceConfig(WorkspacePaths(Path("/nonexistent")), "sqlite:///:memory:"), "t")
    # A shell starts background jobs with SIGINT ignored, and children inherit that: the Ctrl-C
    # tests (in this process and in the commands they start) would then see nothing happen.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own workspace settings out of the tests, and each test's from the next.

    The DATAWARD_DB_* variables (pool, persistent connections, timeouts) are cleared too: one
    test's serving settings must never reach another test's database connections.
    """
    names = {"DATAWARD_WORKSPACE", "DATAWARD_DATABASE_URL", "DATAWARD_KEY", "DATAWARD_USER"}
    names |= {name for name in os.environ if name.startswith("DATAWARD_DB_")}
    for name in sorted(names):
        monkeypatch.delenv(name, raising=False)


def _pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    return url


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """Create one migrated template database per test worker, copied for each test."""
    name = f"dw_tmpl_{uuid.uuid4().hex[:10]}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    url = _pg_admin_url().rsplit("/", 1)[0] + f"/{name}"
    _migrate_only(url)
    yield name
    _drop_quietly(name)


def _migrate_only(url: str) -> None:
    """Create the schema of an empty database without creating workspace rows."""
    from django.core.management import call_command
    from django.db import connection, connections

    from dataward.core.engine.workspace import WorkspaceConfig, WorkspacePaths
    from dataward.core.schema import create_fresh
    from dataward.runtime import activate

    activate(WorkspaceConfig(WorkspacePaths(Path("/nonexistent")), url), "template")
    if not create_fresh(connection):  # what dataward init does; test_schema_fresh.py compares
        call_command("migrate", interactive=False, verbosity=0)
    connections.close_all()


def _drop_quietly(name: str) -> None:
    from django.db import connections

    connections.close_all()
    with contextlib.suppress(Exception):  # cleanup of a throwaway server
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Yield an empty database URL ('' means the workspace's own SQLite file)."""
    if request.param == "sqlite":
        yield ""
        return
    template = request.getfixturevalue("pg_template")
    name = f"dw_t_{uuid.uuid4().hex[:12]}"
    from django.db import connections

    connections.close_all()
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg_admin_url().rsplit("/", 1)[0] + f"/{name}"
    _drop_quietly(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per worker, copied into each test's workspace."""
    path = tmp_path_factory.mktemp("tmpl") / "template.sqlite3"
    _migrate_only(f"sqlite:///{path}")
    return path


@pytest.fixture
def ws_root(tmp_path: Path, database_url: str, request: pytest.FixtureRequest) -> Path:
    """Create a workspace folder on the parametrised backend and return its path."""
    from dataward.core.workspace import init_workspace

    root = tmp_path / "ws"
    if not database_url:
        root.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), root / "dataward.sqlite3")
    init_workspace(root, env={}, database_url=database_url)
    return root


@pytest.fixture
def ws(ws_root: Path):  # type: ignore[no-untyped-def]
    """Open the workspace as its local owner (an admin)."""
    from dataward.core.workspace import open_workspace

    return open_workspace(ws_root, env={})


class CliResult:
    """What one in-process run of the CLI printed and returned."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``dataward ARGS`` in-process and return its exit code, stdout and stderr."""

    def run(*args: str, stdin: str | None = None, **env: str) -> CliResult:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        for key in env:
            monkeypatch.delenv(key, raising=False)
        return CliResult(code, captured.out, captured.err)

    return run


DEMO_AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the demo estate (seed 7, as of DEMO_AS_OF) once per test module."""
    from datetime import date

    from dataward.demo.engine import generate

    root = tmp_path_factory.mktemp("estate")
    generate(root, seed=7, as_of=date.fromisoformat(DEMO_AS_OF))
    return root


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `dataward demo` into a workspace once per test module and return its root."""
    root = tmp_path_factory.mktemp("demo") / "ws"
    assert main(["demo", "-w", str(root), "--as-of", DEMO_AS_OF]) == 0
    return root
