"""`dataward serve` with DATAWARD_DB_POOL on PostgreSQL: a worker reuses at most MAX connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

POOL_MAX = 3
WORKERS = 2
pytestmark = [
    pytest.mark.parametrize(
        "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
    pytest.mark.slow,
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str = "") -> int:
    request = urllib.request.Request(url)  # noqa: S310 - loopback only
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.fixture
def server(ws_root: Path, cli: Any) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """Serve a PostgreSQL workspace with DATAWARD_DB_POOL=1:MAX; yield it, its URL and a token."""
    w = str(ws_root)
    assert cli("users", "add", "aud", "--role", "auditor", "-w", w).code == 0
    made = cli("tokens", "create", "aud", "--read-only", "-w", w)
    assert made.code == 0, made
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    env["DATAWARD_DB_POOL"] = f"1:{POOL_MAX}"
    command = ["-w", w, "serve", "--port", str(port), "--workers", str(WORKERS)]
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "dataward"), *command],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(base + "/healthz") == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"dataward serve did not answer: {proc.communicate()[1][-500:]!r}")
        time.sleep(0.2)
    try:
        yield proc, base, made.out.strip()
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


def _per_worker(proc: subprocess.Popen[bytes], pg_port: int) -> dict[int, set[int]]:
    """Return each gunicorn worker's local ports connected to PostgreSQL."""
    found: dict[int, set[int]] = {}
    for worker in psutil.Process(proc.pid).children():
        try:
            sockets = worker.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        found[worker.pid] = {c.laddr.port for c in sockets if c.raddr and c.raddr.port == pg_port}
    return found


def _web_backends(database_url: str) -> set[int]:
    """Return the client ports of this database's sessions named "dataward web"."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'dataward web'"
        ).fetchall()
    return {int(r[0]) for r in rows}


def test_serve_reuses_a_bounded_pool_per_worker(server: Any, database_url: str) -> None:
    proc, base, token = server
    pg_port = urlsplit(database_url).port or 5432
    stop, samples = threading.Event(), []

    def sample() -> None:
        while not stop.is_set():
            samples.append((_per_worker(proc, pg_port), _web_backends(database_url)))
            time.sleep(0.02)

    def burst() -> list[int]:
        urls = [base + "/api/v1/audit/events", base + "/healthz"] * 40
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda u: _get(u, token), urls))

    assert set(burst()) == {200}  # warms every worker's pool
    warm = _per_worker(proc, pg_port)
    assert any(warm.values()), "no worker kept a pooled connection"
    watcher = threading.Thread(target=sample)
    watcher.start()
    try:
        assert set(burst()) == {200}
    finally:
        stop.set()
        watcher.join(30)
    assert samples
    for workers, backends in samples:
        assert all(len(ports) <= POOL_MAX for ports in workers.values()), workers
        assert len(backends) <= POOL_MAX * WORKERS, backends
        assert set().union(*workers.values()) <= backends  # every one connects as "dataward web"
    after = _per_worker(proc, pg_port)
    for pid, ports in warm.items():
        if ports:
            assert after[pid] == ports, "a worker opened new connections instead of reusing"
    assert not any(c.raddr for c in psutil.Process(proc.pid).net_connections(kind="tcp")
                   if c.raddr and c.raddr.port == pg_port)  # fmt: skip
    proc.terminate()
    proc.communicate(timeout=60)
    for _ in range(50):  # the workers close their pools on exit
        if not _web_backends(database_url):
            break
        time.sleep(0.1)
    assert not _web_backends(database_url)
