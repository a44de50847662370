"""PostgreSQL in production: DATAWARD_DB_* settings, TLS options, and the web workers' pool."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import assert_one_line_error

URL = "postgresql://dw@db.example:5432/dw?sslmode=verify-full&sslrootcert=/etc/dw/ca.pem"
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _settings(env: dict[str, str], serving: bool, url: str = URL) -> dict[str, Any]:
    from dataward.core.engine.workspace import WorkspaceConfig, WorkspacePaths
    from dataward.runtime import database_settings

    return database_settings(
        WorkspaceConfig(WorkspacePaths(Path("/nowhere")), url), env, serving=serving
    )


POOL_1_3 = {"min_size": 1, "max_size": 3, "timeout": 10}
WEB, CLI = "dataward web", "dataward cli"
POOL, AGE = "DATAWARD_DB_POOL", "DATAWARD_DB_CONN_MAX_AGE"
TIMEOUT, BOUNCER = "DATAWARD_DB_STATEMENT_TIMEOUT", "DATAWARD_DB_PGBOUNCER"


@pytest.mark.parametrize(
    ("env", "serving", "app", "pool", "max_age", "options"),
    [
        ({}, False, CLI, None, 0, None),
        ({}, True, WEB, None, 0, None),
        ({POOL: "1:3"}, False, CLI, None, 0, None),  # a CLI command holds no pool
        ({POOL: "1:3"}, True, WEB, POOL_1_3, 0, None),
        ({POOL: " 3 "}, True, WEB, POOL_1_3, 0, None),
        ({POOL: "0:2"}, True, WEB, {**POOL_1_3, "min_size": 0, "max_size": 2}, 0, None),
        ({AGE: "300"}, True, WEB, None, 300, None),
        ({AGE: "300"}, False, CLI, None, 0, None),
        ({TIMEOUT: "5000"}, True, WEB, None, 0, "-c statement_timeout=5000"),
        ({TIMEOUT: "5000"}, False, CLI, None, 0, None),
        ({BOUNCER: "Session"}, True, WEB, None, 0, None),
        ({POOL: "", AGE: "0"}, True, WEB, None, 0, None),
    ],
)  # fmt: skip
def test_settings_from_the_environment(
    env: dict[str, str], serving: bool, app: str, pool: Any, max_age: int, options: str | None
) -> None:
    db = _settings(env, serving)
    assert db["OPTIONS"]["application_name"] == app
    assert db["OPTIONS"].get("pool") == pool
    assert db["CONN_MAX_AGE"] == max_age
    assert db["CONN_HEALTH_CHECKS"] is bool(pool or max_age)
    assert db["OPTIONS"].get("options") == options
    assert db["OPTIONS"]["sslmode"] == "verify-full"  # the URL's TLS options reach psycopg
    assert db["OPTIONS"]["sslrootcert"] == "/etc/dw/ca.pem"


def test_the_url_keeps_its_own_application_name_and_options() -> None:
    url = "postgresql://dw@db/dw?application_name=dw-eu&options=-c%20search_path%3Ddw"
    db = _settings({"DATAWARD_DB_STATEMENT_TIMEOUT": "900"}, True, url)
    assert db["OPTIONS"]["application_name"] == "dw-eu"
    assert db["OPTIONS"]["options"] == "-c search_path=dw -c statement_timeout=900"


def test_sqlite_ignores_the_postgresql_settings() -> None:
    db = _settings({"DATAWARD_DB_POOL": "lots", "DATAWARD_DB_PGBOUNCER": "transaction"}, True,
                   "sqlite:////tmp/x.sqlite3")  # fmt: skip
    assert "pool" not in db["OPTIONS"]


@pytest.mark.parametrize(
    ("env", "where", "hint"),
    [
        *(({POOL: v}, POOL, "MIN:MAX")
          for v in ("lots", "0", "3:1", "1:2:3", "101", ":3", "1:", "²", "-1")),
        ({AGE: "-1"}, AGE, "seconds"),
        ({AGE: "9" * 19}, AGE, "seconds"),
        ({AGE: "0" * 5000}, AGE, "seconds"),  # int() would refuse this many digits
        ({TIMEOUT: "1" * 4301}, TIMEOUT, "milliseconds"),
        ({POOL: "1:" + "2" * 5000}, POOL, "MIN:MAX"),
        ({POOL: "0" * 19 + ":4"}, POOL, "MIN:MAX"),
        ({AGE: "5m"}, AGE, "seconds"),
        ({TIMEOUT: "1.5"}, TIMEOUT, "milliseconds"),
        ({POOL: "2:4", AGE: "60"}, AGE, "unset one"),
        ({BOUNCER: "transaction"}, BOUNCER, "pool_mode = session"),
        ({BOUNCER: "statement"}, BOUNCER, "pool_mode = session"),
        ({BOUNCER: "yes"}, BOUNCER, "write session"),
        ({BOUNCER: "session", TIMEOUT: "1000"}, TIMEOUT, "ALTER ROLE"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_naming_the_variable(
    env: dict[str, str], where: str, hint: str
) -> None:
    from dataward.errors import DatawardError

    for serving in (False, True):  # checked in every process, not only where it applies
        with pytest.raises(DatawardError) as caught:
            _settings(env, serving)
        assert caught.value.where == where
        assert hint in caught.value.line()
        assert "\n" not in caught.value.line()


@pytest.mark.parametrize(
    ("query", "needles"),
    [
        ("pool=true", ("'pool'", "DATAWARD_DB_POOL")),
        ("conn_max_age=600", ("'conn_max_age'", "DATAWARD_DB_CONN_MAX_AGE")),
        ("CONN_MAX_AGE=600", ("'CONN_MAX_AGE'", "DATAWARD_DB_CONN_MAX_AGE")),
        ("statement_timeout=5", ("'statement_timeout'", "DATAWARD_DB_STATEMENT_TIMEOUT")),
        ("isolation_level=1", ("'isolation_level'", "not a libpq connection parameter")),
        ("server_side_binding=true", ("'server_side_binding'", "DATAWARD_DB_POOL")),
        ("assume_role=postgres", ("'assume_role'", "remove it")),
        ("sslmode=require&sslmode=disable", ("'sslmode' is given more than once",)),
    ],
)
def test_django_options_smuggled_in_the_url_are_refused(query: str, needles: tuple[str]) -> None:
    from dataward.errors import DatawardError

    for serving in (False, True):
        env = {"DATAWARD_DATABASE_URL": f"postgresql://dw@db/dw?{query}"}
        with pytest.raises(DatawardError) as caught:
            _settings(env, serving, env["DATAWARD_DATABASE_URL"])
        assert caught.value.where == "DATAWARD_DATABASE_URL"
        assert "\n" not in caught.value.line()
        for needle in needles:
            assert needle in caught.value.line()


@pytest.mark.parametrize("url", ["postgresql://dw@db:99999/dw", "postgresql://dw@[::1/dw"])
def test_an_unparsable_url_is_one_line(url: str) -> None:
    from dataward.errors import DatawardError

    with pytest.raises(DatawardError, match="cannot be parsed") as caught:
        _settings({}, False, url)
    assert "database.url" in str(caught.value.where)


def test_libpq_parameters_in_the_url_pass_as_text() -> None:
    url = "postgresql://dw@/dw?host=/run/postgresql&keepalives=1&sslsni=true&target_session_attrs=read-write"
    options = _settings({}, False, url)["OPTIONS"]
    assert options["host"] == "/run/postgresql"
    assert options["sslsni"] == "true"  # not Python's True, which libpq would not read
    assert options["target_session_attrs"] == "read-write"


@POSTGRES_ONLY
def test_the_cli_refuses_a_pool_in_the_url(ws_root: Path, database_url: str, cli: Any) -> None:
    result = cli("clients", "list", "-w", str(ws_root),
                 DATAWARD_DATABASE_URL=f"{database_url}?pool=true")  # fmt: skip
    assert_one_line_error(result, "DATAWARD_DATABASE_URL", "'pool'", "DATAWARD_DB_POOL")


@POSTGRES_ONLY
def test_the_cli_reports_a_bad_setting_in_one_line(ws_root: Path, cli: Any) -> None:
    result = cli("clients", "list", "-w", str(ws_root), DATAWARD_DB_POOL="lots")
    assert_one_line_error(result, "DATAWARD_DB_POOL", "'lots' is not a pool size", "e.g. 1:4")


def _conninfo(keyword: str) -> str:
    """Return what libpq was given for a connection keyword on the open connection."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection.pgconn  # type: ignore[attr-defined]
    (option,) = [o for o in raw.info if o.keyword == keyword.encode()]
    return (option.val or b"").decode()


def _setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return str(cursor.fetchone()[0])


@POSTGRES_ONLY
@pytest.mark.parametrize("query", ["sslmode=disable", "sslmode=prefer&sslrootcert=/etc/ssl/ca.pem"])
def test_tls_options_in_the_url_reach_libpq(ws_root: Path, database_url: str, query: str) -> None:
    from dataward.core.workspace import open_workspace

    open_workspace(ws_root, env={"DATAWARD_DATABASE_URL": f"{database_url}?{query}"})
    for pair in query.split("&"):
        keyword, value = pair.split("=")
        assert _conninfo(keyword) == value
    assert _setting("application_name") == "dataward cli"


@POSTGRES_ONLY
def test_sslmode_require_needs_a_server_with_tls(
    ws_root: Path, database_url: str, cli: Any
) -> None:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW ssl").fetchone()
    required = cli("clients", "list", "-w", str(ws_root),
                   DATAWARD_DATABASE_URL=f"{database_url}?sslmode=require")  # fmt: skip
    if row and row[0] == "on":
        assert required.code == 0, required
    else:  # the test server has no TLS: libpq honoured sslmode and refused to go on without it
        assert_one_line_error(required, "cannot connect to the database")


@pytest.fixture
def serving(ws_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Return a function switching this process to the serving settings for some variables."""
    from dataward.core.engine.workspace import load_config
    from dataward.runtime import close_database, serve_database

    for name in (POOL, AGE, TIMEOUT, BOUNCER):  # none from the shell running the tests
        monkeypatch.delenv(name, raising=False)

    def switch(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        serve_database(load_config(ws_root, {}))

    yield switch
    close_database()


@POSTGRES_ONLY
def test_a_web_worker_gets_its_name_and_statement_timeout(serving: Any) -> None:
    from django.db import OperationalError, connection

    serving(DATAWARD_DB_STATEMENT_TIMEOUT="300")
    assert _setting("application_name") == "dataward web"
    assert _setting("statement_timeout") == "300ms"
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")


def _pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@POSTGRES_ONLY
@pytest.mark.parametrize(("env", "kept"), [({}, False), ({AGE: "60"}, True), ({POOL: "1"}, True)])
def test_a_web_worker_keeps_its_connection_between_requests_when_asked(
    serving: Any, env: dict[str, str], kept: bool
) -> None:
    from django.db import close_old_connections

    serving(**env)
    before = _pid()
    close_old_connections()  # what Django does when a request ends
    assert (_pid() == before) is kept


def _web_sessions(database_url: str) -> list[str]:
    """Return the states of this database's sessions named "dataward web", seen from outside."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'dataward web'"
        ).fetchall()
    return [str(row[0]) for row in rows]


@POSTGRES_ONLY
def test_threads_share_the_pool_and_never_exceed_its_size(serving: Any, database_url: str) -> None:
    from django.db import connection, connections

    from dataward.runtime import close_database

    serving(DATAWARD_DB_POOL="1:2")
    pids: list[int] = []
    most = [0]

    def work() -> None:
        try:
            for _ in range(3):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_backend_pid(), count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'dataward web'"
                    )
                    pid, count = cursor.fetchone()
                pids.append(pid)
                most[0] = max(most[0], count)
                time.sleep(0.05)
                connections.close_all()  # what Django does at the end of each request
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(pids) == 18
    assert len(set(pids)) <= 2
    assert most[0] <= 2
    stats = connection.pool.get_stats()  # type: ignore[attr-defined]
    assert 1 <= stats["pool_size"] <= 2
    assert stats["pool_available"] == stats["pool_size"], stats  # every request gave it back
    assert stats.get("requests_waiting", 0) == 0
    assert stats.get("connections_lost", 0) == 0, stats
    assert stats.get("returns_bad", 0) == 0, stats
    sessions = _web_sessions(database_url)
    assert len(sessions) == stats["pool_size"]  # no session left behind outside the pool
    assert set(sessions) == {"idle"}  # none abandoned inside a transaction
    close_database()
    for _ in range(50):  # the server sees the sign-off shortly after the pool closes
        if not _web_sessions(database_url):
            break
        time.sleep(0.1)
    assert not _web_sessions(database_url)
