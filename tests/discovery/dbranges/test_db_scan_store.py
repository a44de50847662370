"""Storing range scans: one location per table, as a sequential scan stores it; Ctrl-C resumes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress

from dataward.discovery.engine.sources.ranges import Split

BIN = Path(sys.executable).parent / "dataward"
SPLIT = Split(min_rows=400, range_rows=100)


def _store(
    ws: Any, url: str, jobs: int, split: Split, *, status: str = "completed", **options: Any
) -> tuple[dict[str, int], dict[str, Any]]:
    """Run one database scan through the edge; return its counts and what it stored."""
    from dataward.core import clients
    from dataward.discovery import store
    from dataward.discovery.dbscan import scan_database
    from dataward.discovery.models import ColumnProfile, Finding, InventoryItem, Location
    from dataward.discovery.scan import ScanRequest, Totals

    client = clients.ensure_operation(ws)
    run = store.start_run(ws, client, [url])
    totals = Totals()
    options = {"full": True, "sample_rows": None, **options}
    req = ScanRequest([url], jobs=jobs, progress=False, **options)
    scan_database(ws, run, url, req, totals, Progress(disable=True), split=split)
    store.finish_run(ws, run, status, dict(totals.counts))

    def rows(model: Any, *fields: str) -> list[tuple[Any, ...]]:
        found = model.objects.for_client(client).values_list(*fields)
        return sorted(found, key=repr)

    stored = {
        "locations": rows(Location, "kind", "root", "path", "findings_total", "truncated",
                          "skipped"),
        "findings": rows(Finding, "location__path", "entity_type", "member", "row", "column",
                         "start", "end", "score", "preview", "fingerprint"),
        "columns": rows(ColumnProfile, "location__path", "member", "column", "entity_type",
                        "rows_with", "rows_total"),
        "inventory": rows(InventoryItem, "location__path", "entity_type", "count", "distinct"),
    }  # fmt: skip
    return dict(totals.counts), stored


def test_a_split_scan_stores_what_a_sequential_scan_stores(
    ws: Any, kit: Any, tmp_path: Path
) -> None:
    url = kit.sqlite_source(tmp_path / "crm.db").url
    counts, sequential = _store(ws, url, 1, Split())
    split_counts, split = _store(ws, url, 2, SPLIT)
    assert counts == split_counts == {"tables_scanned": 4, "tables_skipped": 1,
                                      "findings": counts["findings"]}  # fmt: skip
    assert counts["findings"] > 8000
    assert len(split["locations"]) == 5  # one per table, however many ranges
    assert split == sequential


def test_a_rerun_after_an_unfinished_scan_reads_only_the_tables_it_lacks(
    ws: Any, kit: Any, tmp_path: Path
) -> None:
    url = kit.sqlite_source(tmp_path / "crm.db").url

    def scan(**options: Any) -> dict[str, int]:
        return _store(ws, url, 1, SPLIT, **{"full": False, "sample_rows": 50, **options})[0]

    scan(status="interrupted", include=("*y",))  # stores gappy and texty, then "stops"
    counts = scan()
    assert (counts["tables_resumed"], counts["tables_scanned"]) == (2, 2)  # the other two
    counts = scan()  # the last run completed: every table is read again
    assert "tables_resumed" not in counts
    assert counts["tables_scanned"] == 4
    scan(status="interrupted", include=("*y",))
    counts = scan(full=True)  # --full never resumes
    assert "tables_resumed" not in counts
    assert counts["tables_scanned"] == 4


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, check=False)


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as c:
            return c.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def _many_tables(path: Path, tables: int, rows: int) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for t in range(tables):
            conn.execute(
                f"CREATE TABLE t{t:02d} (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT)"
            )
            conn.executemany(
                f"INSERT INTO t{t:02d} VALUES (?, ?, ?)",  # noqa: S608
                [(i, f"Maria Santos {i}", f"m{t}.{i}@example.org") for i in range(rows)],
            )
        conn.commit()


def test_ctrl_c_stops_a_database_scan_and_the_rerun_resumes(tmp_path: Path) -> None:
    tables = 16
    _many_tables(tmp_path / "crm.db", tables, 800)
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    ws = tmp_path / "ws"
    assert _run("init", "-w", str(ws)).returncode == 0
    assert _run("-w", str(ws), "clients", "add", "acme", "--name", "Acme").returncode == 0
    scan = [str(BIN), "-w", str(ws), "scan", url, "--client", "acme", "-j", "2",
            "--sample-rows", "0"]  # fmt: skip
    proc = subprocess.Popen(
        scan, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    stored = "SELECT count(*) FROM discovery_location"
    deadline = time.monotonic() + 120
    while not (_query(ws / "dataward.sqlite3", stored) or [(0,)])[0][0] and proc.poll() is None:
        assert time.monotonic() < deadline, "the scan stored nothing in two minutes"
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the scan finished before it could be interrupted; add tables")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    try:
        _, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # leave nothing behind, then fail
        pytest.fail("the interrupted scan did not exit")
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 2, err
    assert len(lines) == 1, err  # one line, no traceback from any worker
    assert "interrupted" in lines[0], err
    for _ in range(100):  # every worker is gone with the scan
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 0)
            time.sleep(0.1)
            continue
        break
    else:
        pytest.fail("a worker outlived the scan")
    kept = _query(ws / "dataward.sqlite3", stored)[0][0]
    assert 0 < kept < tables
    resumed = _run("-w", str(ws), *scan[3:])
    assert resumed.returncode == 0, resumed.stderr
    assert f", {tables - kept} tables," in resumed.stderr, resumed.stderr
    [(counts,)] = _query(ws / "dataward.sqlite3", "SELECT counts FROM discovery_scanrun "
                         "ORDER BY id DESC LIMIT 1")  # fmt: skip
    assert json.loads(counts)["tables_resumed"] == kept
    assert _query(ws / "dataward.sqlite3", stored)[0][0] == tables
