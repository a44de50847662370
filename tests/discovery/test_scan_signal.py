"""Ctrl-C on a real multi-process scan: it stops at once, keeps what it committed, and resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "dataward"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, check=False)


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT count(*) FROM discovery_location").fetchone()[0])
    except sqlite3.Error:
        return 0


def _group_gone(pgid: int) -> bool:
    for _ in range(100):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_ctrl_c_stops_a_parallel_scan_and_the_rerun_resumes(tmp_path: Path) -> None:
    from dataward.demo.engine.corpus import write_corpus

    corpus = tmp_path / "share"
    write_corpus(corpus, total_bytes=4_000_000, seed=21)
    total = sum(1 for p in corpus.rglob("*") if p.is_file())
    ws = tmp_path / "ws"
    assert _run("init", "-w", str(ws)).returncode == 0
    assert _run("-w", str(ws), "clients", "add", "acme", "--name", "Acme").returncode == 0
    proc = subprocess.Popen(
        [str(BIN), "-w", str(ws), "scan", str(corpus), "--client", "acme", "-j", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _stored(ws / "dataward.sqlite3") == 0 and proc.poll() is None:
        assert time.monotonic() < deadline, "the scan stored nothing in two minutes"
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the scan finished before it could be interrupted; make the corpus larger")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = proc.communicate(timeout=180)  # generous: a loaded CI machine is slow to reap workers
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 2, err
    assert len(lines) == 1, err  # one line, no traceback from any worker
    assert "interrupted after" in lines[0], err
    assert "rerun" in lines[0], err
    assert _group_gone(proc.pid), "a worker outlived the scan"
    kept = _stored(ws / "dataward.sqlite3")
    assert 0 < kept < total
    resumed = _run("-w", str(ws), "scan", str(corpus), "--client", "acme", "-j", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"scanned {total - kept} files" in resumed.stderr, resumed.stderr
    assert f"{kept} unchanged" in resumed.stderr, resumed.stderr
