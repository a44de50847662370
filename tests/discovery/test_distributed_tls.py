"""A scan on a real `dask scheduler` and `dask worker` that speak TLS only, as docs/deploy.md says.

The scheduler and worker are Dask's own commands from the same virtualenv, on loopback, with a
certificate authority and certificate the test makes. `dataward scan --scheduler tls://…` takes
its client certificate from Dask's standard DASK_DISTRIBUTED__COMM__TLS__* variables.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _certificates(folder: Path) -> dict[str, Path]:
    """Write a CA, and one certificate for 127.0.0.1 signed by it (used by every party)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("dataward test CA")
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(name("dataward scan")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths["key"].chmod(0o600)
    return paths


@pytest.fixture
def tls_cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, Path]]]:
    certs = _certificates(tmp_path)
    tls = [f"--tls-ca-file={certs['ca']}", f"--tls-cert={certs['cert']}",
           f"--tls-key={certs['key']}"]  # fmt: skip
    info = tmp_path / "scheduler.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "DATAWARD_"))}
    scheduler = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--protocol=tls", "--host=127.0.0.1", "--port=0",
         "--no-dashboard", f"--scheduler-file={info}", *tls],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    procs = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert scheduler.poll() is None, "dask scheduler exited"
            assert time.monotonic() < deadline, "dask scheduler did not start in a minute"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tls://127.0.0.1:")
        procs.append(
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers=1", "--nthreads=1",
                 "--host=127.0.0.1", "--no-dashboard", *tls],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            )
        )  # fmt: skip
        yield address, certs
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_scan_on_a_tls_only_cluster(
    tls_cluster: tuple[str, dict[str, Path]], tmp_path: Path
) -> None:
    from dataward.demo.engine.corpus import write_corpus

    address, certs = tls_cluster
    share = tmp_path / "share"
    write_corpus(share, total_bytes=200_000, seed=3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "DATAWARD_"))}
    ws = tmp_path / "ws"

    def dw(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "dataward"), "-w", str(ws), *args], capture_output=True, text=True,
            env={**env, **(extra or {})}, timeout=300, check=False,
        )  # fmt: skip

    assert dw("init").returncode == 0
    assert dw("clients", "add", "acme", "--name", "Acme").returncode == 0
    # Without a client certificate the scheduler cannot be reached: one line, nothing stored.
    refused = dw("scan", str(share), "--client", "acme", "--scheduler", address,
                 extra={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})  # fmt: skip
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert "needs Dask's TLS settings" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    tls_env = {
        "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(certs["ca"]),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(certs["cert"]),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(certs["key"]),
    }
    got = dw("scan", str(share), "--client", "acme", "--scheduler", address, "-f", "jsonl",
             extra=tls_env)  # fmt: skip
    assert got.returncode == 0, got.stderr
    local = dw("scan", str(share), "--client", "acme", "--full", "-j", "1", "-f", "jsonl")
    assert local.returncode == 0, local.stderr
    lines = sorted(got.stdout.splitlines())
    assert len(lines) > 50
    assert lines == sorted(local.stdout.splitlines())
