"""The Dask scheduler and worker, started from their unit files with deploy/dask/dataward.yaml.

Both run as the units run them (ExecStart, NODE_ADDRESS and SCHEDULER_ADDRESS from
deploy/dask.env.example, instance 01), on loopback, with the shipped TLS settings pointing at a
CA made here; only the ports and the certificate paths are rewritten. What a real network adds
(several machines, firewalls, mounted shares) is not tested here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from deploy.files import DEPLOY, VENV_BIN, command, read_env_file, rewrite, unit_text, value
from deploy.pki import make_authority
from deploy.proxy import free_port, wait_for_port

CLIENT = """
import json, sys
from distributed import Client
outcome = {}
try:
    with Client(sys.argv[1], timeout=float(sys.argv[2])) as client:
        info = client.scheduler_info()["workers"]
        outcome = {"sum": client.submit(sum, [1, 2, 3]).result(),
                   "workers": {a: w["name"] for a, w in info.items()}}
except Exception as exc:
    outcome = {"refused": type(exc).__name__}
print(json.dumps(outcome))
"""


@dataclass(frozen=True)
class Cluster:
    """A scheduler and one worker started from the units, and how to reach them."""

    address: str
    worker_port: int
    status_port: int
    env: dict[str, str]
    pids: tuple[int, int]


def _tls_config(folder: Path, ca_name: str) -> Path:
    """Write deploy/dask/dataward.yaml with certificates of a new CA; return its folder."""
    authority = make_authority(folder / "ca", ca_name)
    leaf = authority.issue(folder / "ca", "node", ["127.0.0.1"])
    text = rewrite(
        (DEPLOY / "dask" / "dataward.yaml").read_text(),
        {
            "/etc/dataward/dask-tls/ca.pem": str(authority.cert_file),
            "/etc/dataward/dask-tls/node.pem": str(leaf.cert),
            "/etc/dataward/dask-tls/node.key": str(leaf.key),
        },
    )
    config = folder / "etc-dask"
    config.mkdir()
    (config / "dataward.yaml").write_text(text)
    return config


def _env(folder: Path, config: Path) -> dict[str, str]:
    """Return a clean environment whose only Dask settings are the file in ``config``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "DATAWARD_"))}
    return {**env, "DASK_ROOT_CONFIG": str(config), "HOME": str(folder)}


def _argv(unit: str, env: dict[str, str], changes: dict[str, str]) -> list[str]:
    """Return the unit's command (instance 01) with its ports changed for this test."""
    line = rewrite(value(unit_text(unit), "Service", "ExecStart"), changes)
    return command(line, env, instance="01")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Start dataward-scheduler.service's and dataward-worker@01.service's commands."""
    folder = tmp_path_factory.mktemp("dask")
    port, worker_port, status_port = free_port(), free_port(), free_port()
    env = _env(folder, _tls_config(folder, "dataward Dask test CA"))
    unit_env = rewrite(
        (DEPLOY / "dask.env.example").read_text(),
        {"10.20.0.11": "127.0.0.1", "tls://10.20.0.10:8786": f"tls://127.0.0.1:{port}"},
    )
    env.update(read_env_file(unit_env))
    scheduler = _argv(
        "dataward-scheduler.service",
        env,
        {"--port 8786": f"--port {port}", "127.0.0.1:8787": f"127.0.0.1:{status_port}"},
    )
    worker = _argv(
        "dataward-worker@.service",
        env,
        {
            "--worker-port 90%i": f"--worker-port {worker_port}",
            "--nanny-port 91%i": f"--nanny-port {free_port()}",
        },  # fmt: skip
    )
    logs = [(folder / name).open("wb") for name in ("scheduler.log", "worker.log")]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for argv, log, listens in ((scheduler, logs[0], port), (worker, logs[1], worker_port)):
            procs.append(subprocess.Popen(argv, env=env, stdout=log, stderr=log))  # noqa: S603
            wait_for_port(listens, procs[-1], f"dask {argv[1]}", 60)
        pids = (procs[0].pid, procs[1].pid)
        yield Cluster(f"tls://127.0.0.1:{port}", worker_port, status_port, env, pids)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)
        for log in logs:
            log.close()


def _client(address: str, env: dict[str, str], timeout: float = 15) -> dict[str, object]:
    """Connect a Dask client in a fresh process with this environment; return what it saw."""
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, address, str(timeout)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-800:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_client_with_the_clusters_certificate_runs_tasks(cluster: Cluster) -> None:
    deadline = time.monotonic() + 60
    seen = _client(cluster.address, cluster.env)
    while not seen.get("workers") and time.monotonic() < deadline:  # the worker registers
        time.sleep(0.5)
        seen = _client(cluster.address, cluster.env)
    assert seen["sum"] == 6
    assert seen["workers"] == {
        f"tls://127.0.0.1:{cluster.worker_port}": f"{os.uname().nodename}-01"
    }


def test_a_client_without_a_certificate_of_that_ca_is_refused(
    cluster: Cluster, tmp_path: Path
) -> None:
    stranger = _env(tmp_path, _tls_config(tmp_path, "some other CA"))
    assert _client(cluster.address, stranger, timeout=5).get("refused")
    nothing = tmp_path / "no-dask-config"
    nothing.mkdir()
    plain = cluster.address.replace("tls://", "tcp://")  # a client with no TLS settings at all
    assert _client(plain, _env(tmp_path, nothing), timeout=5).get("refused")


def test_nothing_listens_beyond_the_node_address(cluster: Cluster) -> None:
    listening = set()
    for pid in cluster.pids:
        parent = psutil.Process(pid)
        for proc in [parent, *parent.children(recursive=True)]:
            listening |= {
                c.laddr.ip for c in proc.net_connections("inet") if c.status == psutil.CONN_LISTEN
            }
    assert listening == {"127.0.0.1"}  # without the units' flags: 0.0.0.0 and :: too
    url = f"http://127.0.0.1:{cluster.status_port}/health"  # what docs/deploy.md says to probe
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.read() == b"ok"


def test_dataward_scan_runs_on_the_cluster(cluster: Cluster, ws_root: Path, cli: Any) -> None:
    share = ws_root.parent / "share"
    share.mkdir()
    (share / "export.csv").write_text("name,email\nAda Lovelace,ada@example.com\n")
    root = str(ws_root)
    assert cli("-w", root, "clients", "add", "acme", "--name", "Acme").code == 0
    scanned = subprocess.run(  # its own process: Dask reads its settings when first imported
        [str(VENV_BIN / "dataward"), "-w", root, "scan", str(share), "--client", "acme",
         "--scheduler", cluster.address],
        env=cluster.env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert scanned.returncode == 0, scanned.stderr[-800:]
    rows = json.loads(cli("-w", root, "inventory", "--client", "acme", "-f", "json").out)
    assert {r["entity_type"] for r in rows} >= {"EMAIL_ADDRESS"}
