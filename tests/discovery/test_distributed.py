"""Scans on a real Dask cluster: same results as one process, incremental, worker loss survived."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import DatawardError

BIN = Path(sys.executable).parent / "dataward"


def _dw(ws: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "-w", str(ws), *args], capture_output=True, text=True, env=env, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dataward.demo.engine.corpus import write_corpus

    root = tmp_path_factory.mktemp("dask") / "share"
    write_corpus(root, total_bytes=1_200_000, seed=11)
    return root


@pytest.fixture(scope="module")
def key_env() -> dict[str, str]:
    """One key for every workspace here, so fingerprints compare across workspaces."""
    from dataward.core.engine.crypto import Keyring

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    env["DATAWARD_KEY"] = Keyring.generate().to_json()
    return env


def _workspace(root: Path, env: dict[str, str]) -> Path:
    assert _dw(root, "init", env=env).returncode == 0
    assert _dw(root, "clients", "add", "acme", "--name", "Acme", env=env).returncode == 0
    return root


def _inventory(text: str) -> list[dict[str, str]]:
    """Inventory rows without the scan times (the two scans ran at different moments)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    return [{k: v for k, v in r.items() if k not in ("first_seen", "last_seen")} for r in rows]


def _sorted_lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line)


def test_a_local_cluster_scan_matches_the_single_process_scan(
    tmp_path: Path, corpus: Path, key_env: dict[str, str]
) -> None:
    one = _workspace(tmp_path / "one", key_env)
    dask = _workspace(tmp_path / "dask", key_env)
    base = _dw(one, "scan", str(corpus), "--client", "acme", "-j", "1", "-f", "jsonl", env=key_env)
    assert base.returncode == 0, base.stderr
    got = _dw(
        dask, "scan", str(corpus), "--client", "acme", "--workers", "2", "-f", "jsonl", env=key_env
    )
    assert got.returncode == 0, got.stderr
    assert len(_sorted_lines(base.stdout)) > 1_000  # the corpus plants plenty
    assert _sorted_lines(got.stdout) == _sorted_lines(base.stdout)
    assert got.stderr.splitlines()[-1] == base.stderr.splitlines()[-1]  # same counts line
    inventory = [
        _inventory(_dw(ws, "inventory", "-f", "csv", env=key_env).stdout) for ws in (one, dask)
    ]
    assert inventory[0] == inventory[1]
    assert len(inventory[0]) > 10

    # Incremental on the cluster as before: nothing changed, nothing rescanned.
    again = _dw(dask, "scan", str(corpus), "--client", "acme", "--workers", "2", env=key_env)
    assert again.returncode == 0, again.stderr
    assert "0 files" in again.stderr.splitlines()[-1] or "unchanged" in again.stderr


def test_scheduler_and_workers_together_are_refused(
    tmp_path: Path, key_env: dict[str, str]
) -> None:
    ws = _workspace(tmp_path / "ws", key_env)
    got = _dw(
        ws, "scan", str(tmp_path), "--client", "acme", "--workers", "2",
        "--scheduler", "tcp://127.0.0.1:1", env=key_env,
    )  # fmt: skip
    assert got.returncode != 0
    assert "not both" in got.stderr
    assert "Traceback" not in got.stderr


def test_an_unreachable_scheduler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from dataward.discovery.engine import cluster

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The address is probed first: Dask's own connect retries (this long) are never reached.
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 3600)
    with pytest.raises(DatawardError) as caught:
        cluster.connect(f"127.0.0.1:{port}")
    assert f"nothing listens on 127.0.0.1 port {port}" in str(caught.value)
    assert caught.value.where == f"tcp://127.0.0.1:{port}"


def test_plain_tcp_is_refused_when_dask_requires_encryption() -> None:
    import dask

    importlib.import_module("distributed")  # its defaults must be in the config before overriding

    from dataward.discovery.engine import cluster

    with (
        dask.config.set({"distributed.comm.require-encryption": True}),
        pytest.raises(DatawardError, match="require encryption"),
    ):
        cluster.connect("tcp://127.0.0.1:8786")


def test_a_local_cluster_encrypts_when_dask_requires_it() -> None:
    import dask

    importlib.import_module("distributed")  # its defaults must be in the config before overriding

    from dataward.discovery.engine import cluster

    with dask.config.set({"distributed.comm.require-encryption": True}):
        made = cluster.connect(workers=1)
    try:
        assert made.address.startswith("tls://127.0.0.1:")
        assert made.client.submit(sum, [1, 2], pure=False).result() == 3
    finally:
        made.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from dataward.discovery.engine.cluster import connect

    made = connect(workers=2)
    yield made
    made.close()


def test_workers_must_see_the_folder_and_run_this_version(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.discovery.engine import cluster as checks

    checks.check_workers(cluster, [str(tmp_path)])  # every local worker sees it
    with pytest.raises(DatawardError, match="cannot see"):
        checks.check_workers(cluster, [str(tmp_path / "not-mounted")])
    monkeypatch.setattr(checks, "__version__", "0.0.0-other")
    with pytest.raises(DatawardError, match="runs dataward"):
        checks.check_workers(cluster, [str(tmp_path)])


def test_chunks_keep_order_and_bounds() -> None:
    from dataward.discovery.engine.distributed import chunks
    from dataward.discovery.engine.pool import FileTask

    tasks = [FileTask("/r", f"f{i}", size, 0) for i, size in enumerate([5, 5, 50, 1, 1, 1, 1])]
    got = list(chunks(tasks, files=3, size=20))
    assert [[t.rel for t in c] for c in got] == [["f0", "f1"], ["f2"], ["f3", "f4", "f5"], ["f6"]]
    assert [t for c in got for t in c] == tasks


def test_the_worker_gets_the_fingerprint_subkey_only() -> None:
    from dataward.core.engine.crypto import Keyring

    ring = Keyring.generate().rotate()
    fp = ring.fingerprinter()
    assert fp("4111 1111 1111 1111") == ring.fingerprint("4111 1111 1111 1111")
    assert fp.subkey != ring.active.secret
    assert "subkey" not in repr(fp)


def _findings(client: Any) -> Counter[tuple[Any, ...]]:
    from dataward.discovery.models import Finding

    rows = Finding.objects.for_client(client).values_list(
        "location__path", "member", "line", "column", "start", "end", "entity_type",
        "fingerprint", "preview",
    )  # fmt: skip
    return Counter(rows)


def test_a_worker_killed_mid_scan_loses_and_duplicates_nothing(
    ws: Any, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connections

    from dataward.core import clients
    from dataward.core.engine.clients import ClientSpec
    from dataward.discovery.engine import distributed
    from dataward.discovery.engine.cluster import connect
    from dataward.discovery.models import Location
    from dataward.discovery.scan import ScanRequest, run_scan

    base, _ = clients.add(ws, ClientSpec(slug="base", name="Base"))
    dist, _ = clients.add(ws, ClientSpec(slug="dist", name="Dist"))
    _, want = run_scan(ws, base, ScanRequest([str(corpus)], jobs=1, progress=False))

    monkeypatch.setattr(distributed, "CHUNK_FILES", 4)  # many small tasks: the kill lands mid-scan
    own = connect(workers=2)
    pids: dict[str, int] = own.client.run(os.getpid)
    outcome: dict[str, Any] = {}

    def scan() -> None:
        try:
            req = ScanRequest([str(corpus)], progress=False, scheduler=own.address)
            outcome["counts"] = run_scan(ws, dist, req)[1]
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            outcome["error"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=scan)
    worker.start()
    try:
        victim = _wait_for_a_busy_worker(own, worker)
        os.kill(pids[victim], signal.SIGKILL)
        killed_while_running = worker.is_alive()
        worker.join(timeout=300)
        assert not worker.is_alive(), "the scan did not finish after a worker was killed"
        after: dict[str, int] = own.client.run(os.getpid)
    finally:
        own.close()
    assert "error" not in outcome, outcome.get("error")
    assert killed_while_running
    assert pids[victim] not in after.values()  # that worker really died (the nanny replaced it)
    got = outcome["counts"]
    assert got["files_scanned"] == want["files_scanned"]
    assert got["findings"] == want["findings"]
    assert _findings(dist) == _findings(base)
    paths = list(Location.objects.for_client(dist).values_list("path", flat=True))
    assert len(paths) == len(set(paths)) == Location.objects.for_client(base).count()


def _wait_for_a_busy_worker(cluster: Any, scan: threading.Thread) -> str:
    """Return the address of a worker with a scan task running, while the scan still runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and scan.is_alive():
        busy = [w for w, keys in cluster.client.processing().items() if keys]
        if busy:
            return str(busy[0])
        time.sleep(0.01)
    pytest.fail("no Dask task was seen running; the scan ended or never started")


def test_ctrl_c_stops_a_cluster_scan_and_the_rerun_resumes(
    tmp_path: Path, key_env: dict[str, str]
) -> None:
    import sqlite3

    from dataward.demo.engine.corpus import write_corpus

    share = tmp_path / "share"
    write_corpus(share, total_bytes=2_000_000, seed=12)
    ws = _workspace(tmp_path / "ws", key_env)
    whole = _workspace(tmp_path / "whole", key_env)
    proc = subprocess.Popen(
        [str(BIN), "-w", str(ws), "scan", str(share), "--client", "acme", "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=key_env,
        start_new_session=True,
    )  # fmt: skip

    def stored() -> int:
        try:
            with sqlite3.connect(f"file:{ws / 'dataward.sqlite3'}?mode=ro", uri=True) as con:
                return int(con.execute("SELECT count(*) FROM discovery_location").fetchone()[0])
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 120
    while stored() == 0 and proc.poll() is None:
        assert time.monotonic() < deadline, "the scan stored nothing in two minutes"
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the scan finished before it could be interrupted; make the corpus larger")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "interrupted" in err, err
    assert "Traceback" not in err, err
    assert stored() > 0
    rerun = _dw(ws, "scan", str(share), "--client", "acme", "--workers", "2", env=key_env)
    assert rerun.returncode == 0, rerun.stderr
    full = _dw(whole, "scan", str(share), "--client", "acme", "-j", "1", env=key_env)
    assert full.returncode == 0, full.stderr
    inventory = [
        _inventory(_dw(w, "inventory", "-f", "csv", env=key_env).stdout) for w in (ws, whole)
    ]
    assert inventory[0] == inventory[1]
