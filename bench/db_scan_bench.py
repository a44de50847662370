"""Measure database scans: rows/s and MB/s of a full table scan on one process and on all cores.

Run with `.venv/bin/python bench/db_scan_bench.py [--rows 500000]`. It builds a `customers`
table of --rows rows with the project's own value generators (names from the demo corpus pool,
e-mail addresses, phone numbers, SSNs, card numbers, free-text notes) in an SQLite file and, when
DATAWARD_TEST_POSTGRES_URL is set, in a throwaway PostgreSQL database; then times the real
command, `dataward scan URL --sample-rows 0` (every row, findings stored in a throwaway SQLite
workspace), with --jobs 1 (one sequential stream) and with every core (key or block ranges in
parallel). MB is the cell text read. Figures go to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent / "dataward"
COLUMNS = ("id", "full_name", "email", "phone", "ssn", "card_number", "notes")
NOTES = (
    "called about a late payment, promised to pay on Friday",
    "asked to update the mailing address",
    "disputed a charge from last month; ticket raised",
    "no answer, left a voicemail",
    "wants a paper statement",
)


def rows(count: int, seed: int) -> Iterator[tuple[object, ...]]:
    """Yield customer rows made with the demo generators, the same for the same seed."""
    from dataward.demo.engine import contact
    from dataward.demo.engine import identifiers as ids
    from dataward.demo.engine.corpus_values import pool

    rng = random.Random(seed)
    names = pool("US")
    phones = [contact.phone(rng, "US") for _ in range(2000)]  # phonenumbers is slow: reuse
    for i in range(1, count + 1):
        first, last = rng.choice(names.firsts), rng.choice(names.lasts)
        card = ids.card_number(rng) if rng.random() < 0.25 else None
        yield (
            i, f"{first} {last}", contact.email_for(first, last, "example.com", rng),
            rng.choice(phones), ids.us_ssn(rng), card, rng.choice(NOTES),
        )  # fmt: skip


def text_mb(count: int, seed: int) -> float:
    """Return the megabytes of cell text the table holds (what a full scan reads)."""
    return sum(len(str(v)) for row in rows(count, seed) for v in row if v is not None) / 1e6


def build_sqlite(path: Path, count: int, seed: int) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, "
            "phone TEXT, ssn TEXT, card_number TEXT, notes TEXT)"
        )
        conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)", rows(count, seed))
        conn.commit()
    return f"sqlite:///{path}"


@contextlib.contextmanager
def postgres(count: int, seed: int) -> Iterator[str | None]:
    admin = os.environ.get("DATAWARD_TEST_POSTGRES_URL")
    if not admin:
        yield None
        return
    import psycopg

    name = f"dw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                b"CREATE TABLE customers (id integer PRIMARY KEY, full_name text, email text, "
                b"phone text, ssn text, card_number text, notes text)"
            )
            with conn.cursor().copy(f"COPY customers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows(count, seed):
                    copy.write_row(row)
            conn.execute(b"VACUUM ANALYZE customers")
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def scan(ws: Path, url: str, jobs: int) -> tuple[float, float]:
    """Run a full scan of the database; return the wall seconds and the CPU seconds it used.

    The CPU counts the command and every process under it (the workers are the forkserver's
    children, so they are sampled while they run); the database server's own CPU is not counted.
    """
    import psutil

    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(BIN), "-w", str(ws), "scan", url, "--client", "bench", "--sample-rows", "0",
             "-j", str(jobs)],
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
        below: dict[int, float] = {}
        root = psutil.Process(proc.pid)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            with contextlib.suppress(psutil.NoSuchProcess):
                for child in root.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        times = child.cpu_times()
                        below[child.pid] = times.user + times.system
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read()
    if proc.returncode != 0 or "1 tables" not in text:
        sys.exit(f"scan failed: {text.strip().splitlines()[-1:]}")
    return wall, usage.ru_utime + usage.ru_stime + sum(below.values())


def main() -> None:
    """Build the tables, run the scans and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    mb = text_mb(args.rows, args.seed)
    print(
        f"table: {args.rows:,} rows, {mb:.1f} MB of cell text; {cores} cores, load average "
        f"{os.getloadavg()[0]:.1f} before the runs"
    )
    with (
        tempfile.TemporaryDirectory(prefix="dw-db-bench-") as name,
        postgres(args.rows, args.seed) as pg_url,
    ):
        tmp = Path(name)
        ws = tmp / "ws"
        subprocess.run([str(BIN), "init", "-w", str(ws)], check=True, capture_output=True)
        subprocess.run(
            [str(BIN), "-w", str(ws), "clients", "add", "bench", "--name", "Bench"],
            check=True, capture_output=True,
        )  # fmt: skip
        sources = {"sqlite": build_sqlite(tmp / "crm.db", args.rows, args.seed)}
        if pg_url:
            sources["postgresql"] = pg_url
        for backend, url in sources.items():
            one, one_cpu = scan(ws, url, 1)
            every, every_cpu = scan(ws, url, 0)
            for label, wall, cpu in (
                ("1 process", one, one_cpu),
                (f"{cores} processes", every, every_cpu),
            ):
                print(
                    f"{backend:10} {label:12} {wall:7.1f} s  {args.rows / wall:9,.0f} rows/s  "
                    f"{mb / wall:6.2f} MB/s  {cpu:6.0f} CPU s"
                )
            print(f"{backend:10} speed-up    {one / every:7.2f}x")
    print(f"load average after the runs: {os.getloadavg()[0]:.1f} on {cores} cores")


if __name__ == "__main__":
    main()
