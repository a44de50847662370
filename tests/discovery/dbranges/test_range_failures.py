"""A failing range skips its table with a reason (no value, no password); the scan goes on."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataward.core.engine.crypto import Keyring
from dataward.discovery.engine.scanner import ScanOptions
from dataward.discovery.engine.sources.ranges import Split
from dataward.discovery.engine.sources.tables import (
    DatabaseScan,
    RangeDone,
    TableDone,
    scan_database,
)

SPLIT = Split(min_rows=400, range_rows=100)
SECRET = "TOPSECRET-4111111111111111"
PASSWORD = "hunter2-range-pw"
KEYS = Keyring.generate()


def scan(url: str, jobs: int, **how: Any) -> dict[str, TableDone]:
    how = {"sample_rows": None, "jobs": jobs, "split": SPLIT, **how}
    events = scan_database(url, KEYS.fingerprinter(), ScanOptions(), DatabaseScan(**how))
    return {e.member.removeprefix("public."): e for e in events if isinstance(e, TableDone)}


def reason(done: TableDone) -> str:
    assert done.failed
    assert not done.result.tally.counts
    [skipped] = done.result.skipped
    return skipped.reason


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, kit: Any) -> str:
    """Return an SQLite source whose ``people`` table holds one undecodable row near its end."""
    path = tmp_path_factory.mktemp("broken") / "crm.db"
    source = kit.sqlite_source(path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "UPDATE people SET note = CAST(x'ff' || CAST(? AS BLOB) AS TEXT) WHERE id = 2300",
            (SECRET,),
        )
        conn.commit()
    return source.url


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unreadable_row_skips_its_table_without_quoting_it(broken: str, jobs: int) -> None:
    got = scan(broken, jobs, include=("people", "texty"))
    why = reason(got["people"])
    assert why == "could not read the table (OperationalError)"
    assert SECRET not in why
    assert not got["texty"].failed
    assert got["texty"].rows == 1600


def test_a_worker_that_dies_skips_its_table_and_the_scan_goes_on(broken: str) -> None:
    import multiprocessing

    killed = False
    done: dict[str, TableDone] = {}
    how = DatabaseScan(sample_rows=None, jobs=2, split=SPLIT, include=("gappy", "loose", "texty"))
    for event in scan_database(broken, KEYS.fingerprinter(), ScanOptions(), how):
        if isinstance(event, RangeDone) and not killed:
            worker = multiprocessing.active_children()[0]
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            killed = True
        elif isinstance(event, TableDone):
            done[event.member] = event
    assert reason(done["gappy"]) == "a scan worker stopped unexpectedly"
    assert not done["texty"].failed  # read on a fresh pool of workers
    assert done["texty"].rows == 1600


@pytest.fixture(scope="module")
def pg_source(kit: Any) -> Iterator[str]:
    with kit.pg_database() as url:
        yield kit.pg_fill(url).url


@contextlib.contextmanager
def role(kit: Any, url: str, *, grant: str, limit: int = -1) -> Iterator[str]:
    """Yield the URL of a new login role with a password and the given rights."""
    name = f"dw_rr_{uuid.uuid4().hex[:8]}"
    kit.pg_exec(url, f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}' CONNECTION LIMIT {limit}")
    kit.pg_exec(url, grant.format(role=name))
    prefix, rest = url.split("://", 1)
    try:
        yield f"{prefix}://{name}:{PASSWORD}@{rest.split('@', 1)[-1]}"
    finally:
        kit.pg_exec(url, f"DROP OWNED BY {name}; DROP ROLE {name}")


@pytest.mark.postgres
def test_tables_a_role_may_not_read_are_skipped_and_the_rest_split(
    kit: Any, pg_source: str
) -> None:
    with role(kit, pg_source, grant="GRANT SELECT ON people TO {role}") as url:
        got = scan(url, 2)
    assert not got["people"].failed
    assert (got["people"].ranges, got["people"].rows) == (8, 2400)
    for member in ("gappy", "loose", "texty"):
        assert reason(got[member]) == "permission denied"
    assert PASSWORD not in repr(got)


@pytest.mark.postgres
def test_workers_that_cannot_connect_skip_the_tables_and_the_scan_ends(
    kit: Any, pg_source: str
) -> None:
    grant = "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"
    with role(kit, pg_source, grant=grant, limit=1) as url:  # the coordinator takes the only one
        got = scan(url, 2, include=("*people", "*texty"))
    assert {m: reason(d) for m, d in got.items()} == {
        "people": "could not connect to the database",
        "texty": "could not connect to the database",
    }
    assert PASSWORD not in repr(got)


def test_the_database_file_is_never_written(tmp_path: Path, kit: Any) -> None:
    source = kit.sqlite_source(tmp_path / "crm.db")
    before = (tmp_path / "crm.db").read_bytes()
    scan(source.url, 2)
    assert (tmp_path / "crm.db").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]
