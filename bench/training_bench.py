"""Measure the training engine at scale: LMS imports, status of every person, the checks.

Run with `.venv/bin/python bench/training_bench.py [--people 50000] [--seed 7] [--keep DIR]
[--json]`. With its own seeded random code it writes an HR roster of --people people over three
clients (northbank, carewell, telora; about 3 % leavers, 2 % joiners), LMS completions (the annual
course and each client's course per person, about 2 % overdue), three phishing campaigns sent to
everyone, and the shipped requirements file. In a throwaway workspace it runs the real
`dataward` CLI, one process per step, and prints per step the wall time, rows per second and the
peak RSS of that process: the HR import, requirements load, completions import, phishing import,
a re-import of the unchanged completions, `dataward training status -f jsonl` (every person and
course) and `dataward assess` (every check of every client, the training checks included).
Figures go to stdout (one JSON object with --json), progress to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent / "dataward"
CLIENTS = {"northbank": "PCI DSS Awareness for Agents", "carewell": "HIPAA Privacy and Security",
           "telora": "GDPR Essentials"}  # fmt: skip
TODAY = date(2026, 11, 28)
ROSTER = ("employee_id", "name", "email", "status", "start_date", "end_date", "department",
          "job_role", "client_accounts", "manager_id", "last_role_change")  # fmt: skip


def _write(path: Path, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def generate(root: Path, people: int, seed: int) -> dict[str, int]:
    """Write the roster, completions and phishing results; return their row counts."""
    rng = random.Random(seed)
    roster, done, phish = [], [], []
    for i in range(people):
        eid = f"E{100000 + i}"
        clients = [rng.choice(list(CLIENTS))] if i % 20 else list(CLIENTS)
        start = TODAY - timedelta(days=rng.randint(1, 2500))
        status = "terminated" if rng.random() < 0.03 and (TODAY - start).days > 90 else "active"
        end = (TODAY - timedelta(days=rng.randint(1, 60))).isoformat() if status != "active" else ""
        dept = f"Team {i % 400:03d}"
        roster.append([eid, f"Person {i}", f"p{i}@bpo.test", status, start.isoformat(), end, dept,
                       "agent", ";".join(clients), f"E{100000 + (i // 25) * 25}",
                       start.isoformat()])  # fmt: skip
        if status != "active":
            continue
        joiner = (TODAY - start).days < 30
        for course in ["Annual Security Awareness", *(CLIENTS[c] for c in clients)]:
            if joiner:
                done.append([eid, course, "", (start + timedelta(30)).isoformat(), ""])
                continue
            age = rng.randint(400, 420) if rng.random() < 0.02 else rng.randint(10, 330)
            day = TODAY - timedelta(days=age)
            done.append([eid, course, day.isoformat(), day.isoformat(), rng.randint(70, 100)])
        for name, days in (("Parcel lure", 80), ("Payroll lure", 50), ("MFA lure", 20)):
            clicked = rng.random() < 0.08
            phish.append([name, eid, (TODAY - timedelta(days)).isoformat(), clicked, not clicked])
    _write(root / "roster.csv", ROSTER, roster)
    _write(root / "completions.csv", ("employee_id", "course", "completed_on", "due_on", "score"),
           done)  # fmt: skip
    _write(root / "phishing.csv", ("campaign", "employee_id", "sent_on", "clicked", "reported"),
           phish)  # fmt: skip
    return {"people": len(roster), "completions": len(done), "phishing": len(phish)}


def run(step: str, args: list[str], rows: int = 0, stdout: Any = None) -> dict[str, Any]:
    """Run one dataward command in its own process; return wall time, rows/s and its peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN), *args], stdout=stdout or subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{step} failed: {err.strip()}")
    out = {"seconds": round(took, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}
    if rows:
        out["rows_per_s"] = round(rows / took)
    print(f"  {step}: {took:.1f} s" + (f" ({rows / took:,.0f} rows/s)" if rows else ""),
          file=sys.stderr)  # fmt: skip
    return out


def main() -> None:
    """Generate, import, evaluate, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dw-training-bench-"))
    root = args.keep or tmp
    root.mkdir(parents=True, exist_ok=True)
    ws = ["-w", str(root / "ws")]
    counts = generate(root, args.people, args.seed)
    print(f"training bench: {counts}", file=sys.stderr)
    subprocess.run([str(BIN), "init", *ws], check=True, capture_output=True)
    for slug in CLIENTS:
        subprocess.run([str(BIN), "clients", "add", slug, "--name", slug.title(), *ws],
                       check=True, capture_output=True)  # fmt: skip
    requirements = Path(__file__).resolve().parents[1] / "src/dataward/training/requirements.yaml"
    steps = {
        "hr import": run("hr import", ["access", "import", "hr", str(root / "roster.csv"), *ws],
                         counts["people"]),
        "requirements load": run("requirements load",
                                 ["training", "requirements", "load", str(requirements), *ws]),
        "completions import": run("completions import", ["training", "import", "completions",
                                  str(root / "completions.csv"), *ws], counts["completions"]),
        "phishing import": run("phishing import", ["training", "import", "phishing",
                               str(root / "phishing.csv"), *ws], counts["phishing"]),
        "completions re-import (unchanged)": run("completions re-import", ["training", "import",
                                                 "completions", str(root / "completions.csv"),
                                                 *ws], counts["completions"]),
    }  # fmt: skip
    with open("/dev/null", "w") as sink:
        steps["training status (every person and course)"] = run(
            "training status", ["training", "status", "-f", "jsonl", *ws], stdout=sink
        )
        steps["assess (all clients and the operation)"] = run(
            "assess", ["assess", "-f", "jsonl", *ws], stdout=sink
        )
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {"estate": counts, "steps": steps}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"training bench: {counts['people']:,} people, {counts['completions']:,} completions, "
          f"{counts['phishing']:,} phishing results")  # fmt: skip
    for name, f in steps.items():
        rate = f", {f['rows_per_s']:,} rows/s" if "rows_per_s" in f else ""
        print(f"  {name:45} {f['seconds']:7.1f} s{rate}, peak RSS {f['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
