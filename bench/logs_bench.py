"""Ingest a million ECS events into a fresh SQLite workspace and run the whole rule pack.

    .venv/bin/python bench/logs_bench.py [--events 1000000] [--keep DIR]

Prints ingest events per second, the pack's time over the stored events, and the alerts raised.
The events are synthetic: a BPO day of sign-ins, record views and exports over three clients,
with a few planted mass exports and failed-login bursts so the rules have something to find.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dataward.cli import main

CLIENTS = [
    {"slug": "northbank", "name": "Northbank", "timezone": "America/New_York",
     "working_hours": "08:00-20:00"},
    {"slug": "carewell", "name": "Carewell", "timezone": "America/Chicago",
     "working_hours": "07:00-19:00"},
    {"slug": "telora", "name": "Telora", "timezone": "Europe/London",
     "working_hours": "08:00-22:00"},
]  # fmt: skip
ACTIONS = ["login", "view_record", "view_record", "view_record", "export", "download"]


def write_events(path: Path, count: int, seed: int = 1) -> None:
    """Write count ECS JSON lines, in time order, over the last 20 days."""
    rng = random.Random(seed)
    day0 = (datetime.now(UTC) - timedelta(days=20)).replace(hour=0, minute=0, second=0)
    users = [f"agent{n:04d}@bpo.example" for n in range(2000)]
    # working hours in UTC for each client (New York 13-01, Chicago 13-01, London 08-22)
    shift = {"northbank": (13, 11), "carewell": (13, 11), "telora": (8, 13)}
    per_day = count // 20 + 1
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            client = CLIENTS[i % 3]["slug"]
            first, length = shift[client]
            offset = (i % per_day) / per_day * length * 3600
            if rng.random() < 0.0005:
                offset = length * 3600 + rng.randint(1800, 3 * 3600)  # rare late-night work
            at = day0 + timedelta(days=i // per_day, hours=first, seconds=offset)
            action = rng.choice(ACTIONS)
            failed = action == "login" and rng.random() < 0.05
            records = rng.randint(1, 300) if action in ("export", "download") else 1
            if i % 200_000 == 7:
                records = 5000
            doc = {
                "@timestamp": at.isoformat(timespec="seconds"),
                "event": {"action": "failed_login" if failed else action,
                          "category": "authentication" if action == "login" else "file",
                          "outcome": "failure" if failed else "success"},
                "user": {"name": rng.choice(users)},
                "source": {"ip": f"10.{i % 200}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"},
                "host": {"name": f"{client}-app01"},
                "client": client,
                "record_count": records,
            }  # fmt: skip
            fh.write(json.dumps(doc) + "\n")


def run(argv: list[str]) -> None:
    """Run one dataward command; stop on failure."""
    code = main(argv)
    if code != 0:
        raise SystemExit(f"dataward {' '.join(argv)} failed with {code}")


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="Profile the rule run.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dw-logs-bench-"))
    try:
        log = tmp / "events.jsonl"
        t0 = time.perf_counter()
        write_events(log, args.events)
        size = log.stat().st_size
        took = time.perf_counter() - t0
        print(f"wrote {args.events:,} events ({size / 1e6:.0f} MB) in {took:.1f} s")
        ws = str(args.keep or tmp / "ws")
        run(["init", "-w", ws])
        clients = tmp / "clients.json"
        clients.write_text(json.dumps(CLIENTS))
        run(["clients", "import", str(clients), "-w", ws])
        t0 = time.perf_counter()
        run(["logs", "ingest", str(log), "--source", "app", "--mapping", "ecs-jsonl",
             "--no-detect", "--no-progress", "-f", "json", "-w", ws])  # fmt: skip
        ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                run(["rules", "run", "-f", "json", "-w", ws])
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        else:
            run(["rules", "run", "-f", "json", "-w", ws])
        detect = time.perf_counter() - t0
        print(f"ingest: {args.events / ingest:,.0f} events/s ({ingest:.1f} s, "
              f"{size / 1e6 / ingest:.1f} MB/s)")  # fmt: skip
        print(f"rule pack over {args.events:,} events: {detect:.1f} s "
              f"({args.events / detect:,.0f} events/s)")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main_bench()
