"""Faults of a scan on Dask, each on a real cluster: one line, what was stored kept, no hang.

A lost scheduler, Ctrl-C while the local cluster starts, a scheduler or worker without dataward,
a worker that joins unable to scan, a file that kills its worker every time. The faulty processes
are made with Dask's own ``preload`` option: a small module, written by the test, that the
scheduler or worker runs as it starts (hiding dataward, or dying on one file). Nothing in
dataward itself knows about them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from dataward.errors import DatawardError

BIN = Path(sys.executable).parent

NO_DATAWARD = '''"""Test-only Dask preload: this process cannot import dataward (not installed)."""
import sys


class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name == "dataward" or name.startswith("dataward."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Hidden())
for _name in [m for m in sys.modules if m == "dataward" or m.startswith("dataward.")]:
    del sys.modules[_name]
'''

DIES_ON = '''"""Test-only Dask preload: the worker process dies when it is asked to scan {name}."""
import os

from dataward.discovery.engine import distributed, pool


def _dying_scan_file(task, fingerprint, opts):
    if os.path.basename(task.rel) == {name!r}:
        os._exit(17)
    return pool.scan_file(task, fingerprint, opts)


distributed.scan_file = _dying_scan_file  # (Dask may run a preload more than once)
'''


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "DATAWARD_"))}


def _share(root: Path, files: int) -> Path:
    """Write small CSV files, each with one e-mail address (what the scans compare)."""
    root.mkdir(parents=True)
    for i in range(files):
        (root / f"export-{i:03d}.csv").write_text(f"name,email\nAgent {i},agent{i}@example.org\n")
    return root


def _findings(client: Any) -> Counter[tuple[Any, ...]]:
    from dataward.discovery.models import Finding

    rows = Finding.objects.for_client(client).values_list(
        "location__path", "line", "column", "start", "end", "entity_type", "fingerprint"
    )
    return Counter(rows)


def _local_cluster(workers: int, preload: Path) -> Any:
    """Start a LocalCluster whose workers run ``preload`` as they start; return a Cluster."""
    import distributed

    from dataward.discovery.engine.cluster import Cluster

    local = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR, preload=[str(preload)],
    )  # fmt: skip
    return Cluster(distributed.Client(local, set_as_default=False), local, local.scheduler_address)


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `dask scheduler` on loopback (a process the test can kill); yield its address."""
    info = tmp_path / "scheduler.json"
    proc = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host=127.0.0.1", "--port=0", "--no-dashboard",
         f"--scheduler-file={info}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env(),
    )  # fmt: skip
    try:
        yield _scheduler_address(info, proc), proc
    finally:
        _stop(proc)


def _scheduler_address(info: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while not info.exists() or not info.read_text().strip():
        assert proc.poll() is None, "dask scheduler exited"
        assert time.monotonic() < deadline, "dask scheduler did not start in a minute"
        time.sleep(0.1)
    return str(json.loads(info.read_text())["address"])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def test_a_lost_scheduler_ends_the_scan_in_one_line_and_the_rerun_resumes(
    ws: Any, tmp_path: Path, scheduler: tuple[str, subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import distributed as dask_distributed

    from dataward.core import clients
    from dataward.core.engine.clients import ClientSpec
    from dataward.discovery.engine import distributed
    from dataward.discovery.models import Location, ScanRun
    from dataward.discovery.scan import BATCH_FILES, ScanRequest, run_scan

    address, proc = scheduler
    share = _share(tmp_path / "share", 3 * BATCH_FILES)
    base, _ = clients.add(ws, ClientSpec(slug="base", name="Base"))
    dist, _ = clients.add(ws, ClientSpec(slug="dist", name="Dist"))
    _, want = run_scan(ws, base, ScanRequest([str(share)], jobs=1, progress=False))
    worker = subprocess.Popen(
        [str(BIN / "dask"), "worker", address, "--nworkers=1", "--nthreads=1",
         "--host=127.0.0.1", "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env(),
    )  # fmt: skip
    try:
        with dask_distributed.Client(address, timeout=30, set_as_default=False) as watcher:
            watcher.wait_for_workers(1, timeout=60)
        # The scheduler dies once a batch is stored and more chunks are on their way.
        monkeypatch.setattr(distributed, "CHUNK_FILES", 2)
        real = distributed.outcomes

        def outcomes_then_kill(*args: Any) -> Iterator[Any]:
            for seen, outcome in enumerate(real(*args)):
                if seen == BATCH_FILES + 2:
                    proc.kill()
                    proc.wait(timeout=30)
                yield outcome

        monkeypatch.setattr(distributed, "outcomes", outcomes_then_kill)
        req = ScanRequest([str(share)], progress=False, scheduler=address)
        with pytest.raises(DatawardError) as caught:
            run_scan(ws, dist, req)
    finally:
        _stop(worker)
    assert "connection to the Dask scheduler was lost" in str(caught.value)
    assert caught.value.where == address
    assert "rerun the same command to resume" in str(caught.value)
    stored = Location.objects.for_client(dist).count()
    assert BATCH_FILES <= stored < want["files_scanned"]  # committed batches are kept
    assert ScanRun.objects.for_client(dist).get().status == "interrupted"
    _, rerun = run_scan(ws, dist, ScanRequest([str(share)], jobs=1, progress=False))
    assert rerun["files_unchanged"] == stored
    assert rerun["files_scanned"] == want["files_scanned"] - stored
    assert _findings(dist) == _findings(base)


def test_ctrl_c_while_the_local_cluster_starts_leaves_nothing_running(tmp_path: Path) -> None:
    from dataward.core.engine.crypto import Keyring

    env = {**_clean_env(), "DATAWARD_KEY": Keyring.generate().to_json()}
    ws = tmp_path / "ws"

    def dw(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "dataward"), "-w", str(ws), *args], capture_output=True, text=True,
            env=env, timeout=300, check=False,
        )  # fmt: skip

    assert dw("init").returncode == 0
    assert dw("clients", "add", "acme", "--name", "Acme").returncode == 0
    share = _share(tmp_path / "share", 5)
    proc = subprocess.Popen(
        [str(BIN / "dataward"), "-w", str(ws), "scan", str(share), "--client", "acme",
         "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    children: list[psutil.Process] = []
    while not children:  # the cluster's first worker process: the start is under way
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "no worker process started in two minutes"
        children = me.children(recursive=True)
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    seen = {c.pid: c for c in children}
    while proc.poll() is None and time.monotonic() < deadline:
        for child in _children(me):
            seen.setdefault(child.pid, child)
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.strip() == (
        "error: scan: scan interrupted while the Dask cluster was starting; "
        "nothing was scanned yet; rerun the same command"
    ), err
    _, alive = psutil.wait_procs(list(seen.values()), timeout=30)
    assert not alive, f"left running: {[p.pid for p in alive]}"


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return list(proc.children(recursive=True))
    except psutil.Error:  # it has just exited
        return []


def test_a_worker_without_dataward_is_named(tmp_path: Path) -> None:
    from dataward.discovery.engine.cluster import check_workers

    (tmp_path / "no_dataward.py").write_text(NO_DATAWARD)
    made = _local_cluster(1, tmp_path / "no_dataward.py")
    try:
        [worker] = made.client.nthreads()
        with pytest.raises(DatawardError) as caught:
            check_workers(made, [str(tmp_path)])
    finally:
        made.close()
    assert f"Dask worker {worker} cannot load dataward (ModuleNotFoundError)" in str(caught.value)
    assert "install dataward" in str(caught.value)


def test_a_scheduler_without_dataward_is_refused_at_connect(tmp_path: Path) -> None:
    from dataward.discovery.engine.cluster import connect

    (tmp_path / "no_dataward.py").write_text(NO_DATAWARD)
    info = tmp_path / "scheduler.json"
    proc = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host=127.0.0.1", "--port=0", "--no-dashboard",
         f"--scheduler-file={info}", f"--preload={tmp_path / 'no_dataward.py'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env(),
    )  # fmt: skip
    try:
        address = _scheduler_address(info, proc)
        with pytest.raises(DatawardError) as caught:
            connect(address)
    finally:
        _stop(proc)
    assert "the Dask scheduler cannot load dataward (ModuleNotFoundError)" in str(caught.value)
    assert caught.value.where == address


@pytest.fixture(scope="module")
def one_worker() -> Iterator[Any]:
    from dataward.discovery.engine.cluster import connect

    made = connect(workers=1)
    yield made
    made.close()


def test_a_worker_that_cannot_scan_a_chunk_refuses_it(
    one_worker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check each chunk makes on its worker: one that joined mid-scan is never trusted."""
    from dataward import __version__
    from dataward.core.engine.crypto import Keyring
    from dataward.discovery.engine import distributed
    from dataward.discovery.engine.pool import FileTask
    from dataward.discovery.engine.scanner import ScanOptions

    fingerprint = Keyring.generate().fingerprinter()
    [worker] = one_worker.client.nthreads()
    unmounted = str(tmp_path / "not-mounted")
    with pytest.raises(DatawardError) as caught:  # not "could not read the file" for each file
        list(distributed.outcomes(one_worker, [FileTask(unmounted, "a.csv", 9, 0)],
                                  fingerprint, ScanOptions()))  # fmt: skip
    assert f"Dask worker {worker} cannot see {unmounted}" in str(caught.value)
    (tmp_path / "a.csv").write_text("a,b\n")
    monkeypatch.setattr(distributed, "__version__", "0.0.0-other")  # this side, not the worker's
    with pytest.raises(DatawardError) as caught:
        list(distributed.outcomes(one_worker, [FileTask(str(tmp_path), "a.csv", 4, 0)],
                                  fingerprint, ScanOptions()))  # fmt: skip
    assert f"Dask worker {worker} runs dataward {__version__}, this scan 0.0.0-other" in str(
        caught.value
    )
    assert caught.value.where == one_worker.address


def test_a_file_that_kills_its_worker_is_recorded_as_failed(
    ws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dask
    import distributed as dask_distributed  # noqa: F401 - its defaults before dask.config.set

    from dataward.core import clients
    from dataward.core.engine.clients import ClientSpec
    from dataward.discovery.engine import distributed
    from dataward.discovery.models import Location
    from dataward.discovery.scan import ScanRequest, run_scan

    share = _share(tmp_path / "share", 12)
    (share / "killer.csv").write_text("name,email\nGrace,grace@example.org\n")
    base, _ = clients.add(ws, ClientSpec(slug="base", name="Base"))
    dist, _ = clients.add(ws, ClientSpec(slug="dist", name="Dist"))
    _, want = run_scan(ws, base, ScanRequest([str(share)], jobs=1, progress=False))
    (tmp_path / "dies.py").write_text(DIES_ON.format(name="killer.csv"))
    monkeypatch.setattr(distributed, "CHUNK_FILES", 4)  # the killer shares its chunk with others
    # A task fails at its first dead worker, not its fourth: fewer restarts, same path.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        made = _local_cluster(2, tmp_path / "dies.py")
    try:
        req = ScanRequest([str(share)], progress=False, scheduler=made.address)
        _, got = run_scan(ws, dist, req)
    finally:
        made.close()
    assert got["files_failed"] == 1
    assert got["files_scanned"] == want["files_scanned"]
    killer = Location.objects.for_client(dist).get(path="killer.csv")
    assert [s["reason"] for s in killer.skipped] == [distributed.DIED]
    assert killer.findings_total == 0
    others = Counter({k: n for k, n in _findings(base).items() if k[0] != "killer.csv"})
    assert _findings(dist) == others
    assert others != _findings(base)  # the killer held findings in the one-process scan


def test_database_targets_alone_start_or_reach_no_cluster(ws: Any, tmp_path: Path) -> None:
    from dataward.core import clients
    from dataward.core.engine.clients import ClientSpec
    from dataward.discovery.scan import ScanRequest, run_scan

    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE people (name TEXT, email TEXT)")
        con.execute("INSERT INTO people VALUES ('Ada', 'ada@example.org')")
    acme, _ = clients.add(ws, ClientSpec(slug="acme", name="Acme"))
    nobody = "tcp://127.0.0.1:1"  # nothing listens there: a connection attempt would fail
    req = ScanRequest([f"sqlite:///{db}"], jobs=1, progress=False, scheduler=nobody)
    _, counts = run_scan(ws, acme, req)
    assert counts["findings"] >= 1


def test_a_scan_left_without_workers_ends_in_one_line(
    scheduler: tuple[str, subprocess.Popen[bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks on a scheduler with no worker wait forever in Dask; the scan gives up in one line."""
    from dataward.core.engine.crypto import Keyring
    from dataward.discovery.engine import distributed
    from dataward.discovery.engine.cluster import connect
    from dataward.discovery.engine.pool import FileTask
    from dataward.discovery.engine.scanner import ScanOptions

    address, _ = scheduler
    (tmp_path / "a.csv").write_text("a,b\n")
    monkeypatch.setattr(distributed, "WATCH_SECONDS", 0.2)
    monkeypatch.setattr(distributed, "NO_WORKERS_SECONDS", 1.0)
    tasks = [FileTask(str(tmp_path), "a.csv", 4, 0)]
    made = connect(address)  # no worker ever joins
    try:
        with pytest.raises(DatawardError) as caught:
            list(
                distributed.outcomes(made, tasks, Keyring.generate().fingerprinter(), ScanOptions())
            )
    finally:
        made.close()
    assert "the Dask scheduler has had no workers for" in str(caught.value)
    assert caught.value.where == address
