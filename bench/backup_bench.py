"""Time `dataward backup` and `dataward restore` on a workspace with many findings.

Run with `.venv/bin/python bench/backup_bench.py [--findings 200000] [--identities 20000]
[--clients 10] [--keep DIR] [--json]`. It fills a throwaway SQLite workspace with web_bench's
builder (the project's own corpus, masked and fingerprinted by the discovery engine, people,
accounts, assessments, risks, alerts), then runs the real CLI, each command in a process of its
own: backup on SQLite, restore into a new SQLite workspace and, when DATAWARD_TEST_POSTGRES_URL
is set, restore into a new PostgreSQL database and back up from it. For each step: seconds, rows
per second, the archive's size (encrypted, format dataward-backup/2) and the process's peak
resident memory. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

# The command reports its own peak resident memory (VmHWM: this process, not the bench's fork).
CODE = (
    "import sys; from dataward.cli import main; code = main(sys.argv[1:]); "
    "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
    "print('PEAK_KB', peak[0], file=sys.stderr); sys.exit(code)"
)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _run(label: str, root: Path, *args: str, key: str, rows: int) -> dict[str, Any]:
    """Run one CLI command in its own process; return its time, rate and peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    env["DATAWARD_KEY"] = key
    _log(f"{label} ...")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CODE, "-w", str(root), *args], env=env,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    errors = proc.communicate()[1]
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed: {errors.strip()}")
    lines = errors.strip().splitlines()
    peak = int(lines.pop().split()[1]) / 1024
    _log("  " + "\n  ".join(lines))
    return {"step": label, "s": seconds, "rows_per_s": rows / seconds, "peak_mb": peak}


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATAWARD_TEST_POSTGRES_URL"], autocommit=True) as conn:
        conn.execute(sql)


def _target(base: Path, name: str, key: str, url: str = "") -> Path:
    """Create an empty workspace holding the source's key (its key is never written to disk)."""
    from django.db import connections

    from dataward.core.workspace import init_workspace

    root = base / name
    init_workspace(root, env={"DATAWARD_KEY": key}, database_url=url)
    connections.close_all()  # an open connection here would make the restore see it in use
    return root


def measure(base: Path, source: Path, rows: int) -> list[dict[str, Any]]:
    """Back up, restore on SQLite and, with a server, on PostgreSQL and back up from it."""
    key = (source / "dataward.key").read_text()
    archive = base / "bench.dwbackup"
    steps = [_run("backup (SQLite)", source, "backup", str(archive), "--force", key=key, rows=rows)]
    steps[-1]["archive_mb"] = archive.stat().st_size / 2**20
    lite = _target(base, "restored-sqlite", key)
    steps.append(_run("restore (SQLite to SQLite)", lite, "restore", str(archive), key=key,
                      rows=rows))  # fmt: skip
    if not os.environ.get("DATAWARD_TEST_POSTGRES_URL"):
        return steps
    name = f"dw_backup_bench_{uuid.uuid4().hex[:8]}"
    _pg(f'CREATE DATABASE "{name}"')
    try:
        url = os.environ["DATAWARD_TEST_POSTGRES_URL"].rsplit("/", 1)[0] + f"/{name}"
        pg = _target(base, "restored-postgres", key, url)
        from django.db import connections

        connections.close_all()
        steps.append(_run("restore (SQLite to PostgreSQL)", pg, "restore", str(archive), key=key,
                          rows=rows))  # fmt: skip
        again = base / "from-postgres.dwbackup"
        steps.append(_run("backup (PostgreSQL)", pg, "backup", str(again), key=key, rows=rows))
        steps[-1]["archive_mb"] = again.stat().st_size / 2**20
    finally:
        from django.db import connections

        connections.close_all()
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return steps


def _rows(root: Path) -> dict[str, int]:
    """Return the rows the workspace holds: all tables, and findings."""
    from dataward.core.workspace import open_workspace

    open_workspace(root, env={})
    from dataward.core.backup_tables import count, managed_tables  # models: after Django is set

    counts = {t.name: count(t) for t in managed_tables()}
    return {"rows": sum(counts.values()), "findings": counts["discovery_finding"]}


def main() -> None:
    """Build the workspace, run the commands and print the figures."""
    import web_bench

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("findings", 200_000), ("identities", 20_000), ("clients", 10),
                          ("seed", 5), ("pool", 2000)):  # fmt: skip
        parser.add_argument(f"--{flag}", type=int, default=default)
    parser.add_argument("--keep", type=Path, help="build the source here and keep it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.database_url = ""
    with tempfile.TemporaryDirectory(prefix="dw-backup-bench-") as name:
        source = (args.keep or Path(name)) / "ws"
        built = 0.0
        if not (source / "dataward.toml").exists():
            built = web_bench.build(source, args)["build_s"]
        figures: dict[str, Any] = {"build_s": built, **_rows(source)}
        figures["steps"] = measure(Path(name), source, figures["rows"])
    print(json.dumps(figures)) if args.json else _report(figures)


def _report(f: dict[str, Any]) -> None:
    """Print the figures for people."""
    built = f"built in {f['build_s']:.0f} s" if f["build_s"] else "kept from an earlier run"
    print(f"workspace: {f['rows']:,} rows in all tables, {f['findings']:,} findings; {built}")
    print(f"  {'step':<32}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}{'archive MB':>12}")
    for s in f["steps"]:
        size = f"{s['archive_mb']:12.1f}" if "archive_mb" in s else ""
        print(f"  {s['step']:<32}{s['s']:9.1f}{s['rows_per_s']:11,.0f}{s['peak_mb']:9.0f}{size}")


if __name__ == "__main__":
    main()
