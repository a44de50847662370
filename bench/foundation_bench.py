"""Measure the foundation's engines: fingerprints, field encryption, audit append and verify.

Run with `make bench` (or `.venv/bin/python bench/foundation_bench.py [--events N]`).
Prints one line per figure; figures go in the README with the command that produced them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def bench_keyring(n: int) -> None:
    from dataward.core.engine.crypto import Keyring

    ring = Keyring.generate()
    values = [f"4{i:015d}" for i in range(n)]
    start = time.perf_counter()
    for value in values:
        ring.fingerprint(value)
    print(f"keyed fingerprints (HMAC-SHA256): {_rate(n, time.perf_counter() - start)}")
    start = time.perf_counter()
    tokens = [ring.encrypt(v, "bench.field") for v in values]
    print(f"field encryption (AES-256-GCM): {_rate(n, time.perf_counter() - start)}")
    start = time.perf_counter()
    for token in tokens:
        ring.decrypt(token, "bench.field")
    print(f"field decryption (AES-256-GCM): {_rate(n, time.perf_counter() - start)}")


def bench_audit(events: int, database_url: str) -> None:
    from dataward.core.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws", env={}, database_url=database_url)
        from dataward.core import audit  # models import once Django is set up

        start = time.perf_counter()
        for i in range(events):
            audit.record(ws, "bench.event", None, "bench", str(i), detail={"i": i})
        append = time.perf_counter() - start
        start = time.perf_counter()
        report = audit.verify(ws)
        verify = time.perf_counter() - start
        assert report.ok, report
        backend = "PostgreSQL" if database_url else "SQLite"
        print(f"audit append, one transaction per event ({backend}): {_rate(events, append)}")
        print(f"audit verify ({backend}, {report.checked} events): {_rate(report.checked, verify)}")


def bench_audit_postgres(events: int, admin_url: str) -> None:
    """Measure the audit trail on a throwaway database created on the given server."""
    import uuid

    import psycopg

    name = f"dw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        bench_audit(events, admin_url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_demo(seed: int) -> None:
    from dataward.demo.engine import generate

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        manifest = generate(Path(tmp) / "estate", seed=seed)
        took = time.perf_counter() - start
        size = sum(f["size"] for f in manifest["files"])
        print(
            f"demo estate generation (seed {seed}): {took:.2f} s for {len(manifest['files'])} "
            f"files, {size / 1e6:.2f} MB, {len(manifest['sensitive_values'])} sensitive values"
        )


def main() -> None:
    """Run every foundation benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument(
        "--postgres-url",
        default="",
        help="Also measure audit on PostgreSQL (server URL; a throwaway database is made).",
    )
    args = parser.parse_args()
    bench_keyring(args.values)
    bench_audit(args.events, "")
    if args.postgres_url:
        bench_audit_postgres(args.events, args.postgres_url)
    bench_demo(7)


if __name__ == "__main__":
    main()
