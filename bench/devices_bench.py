"""Measure the devices package at scale: inventory imports, history, every policy rule.

Run with `.venv/bin/python bench/devices_bench.py [--devices 50000] [--seed 7] [--keep DIR]
[--json]`. With its own seeded random code it writes an HR roster of one person per device over
three clients, an Intune-like export of --devices Windows laptops (about 2 % unencrypted, 3 %
firewall off, 5 % stale patches, 1 % an agent with local admin, a quarter at home), the same
export with 5 % of the devices changed, and a device policy. In a throwaway workspace it runs
the real `dataward` CLI, one process per step, and prints per step the wall time, rows per
second and the peak RSS of that process: the HR import, the policy load, the Intune import, a
re-import of the unchanged file, the import of the changed file (history), `dataward devices
list --failing -f jsonl` (every rule on every device) and `dataward assess` (every check of every
client). It also times the pure engine in this process: the connector reading the export and the
eight rules judging every device. Figures go to stdout (one JSON object with --json), progress to
stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent / "dataward"
CLIENTS = ("northbank", "carewell", "telora")
NOW = datetime.now(UTC)
ROSTER = ("employee_id", "name", "email", "status", "start_date", "end_date", "department",
          "job_role", "client_accounts", "manager_id", "last_role_change")  # fmt: skip
INTUNE = ("Device name", "Primary user UPN", "OS", "OS version", "Encrypted", "Last check-in",
          "Serial number", "Site", "Last quality update", "Local administrators",
          "Real-time protection", "Signature update overdue", "Firewall",
          "Max minutes of inactivity until screen locks", "Removable storage")  # fmt: skip
POLICY = """\
remote_sites: [Home]
default:
  os: {minimum: {windows: "10.0.22631"}, patch_within_days: 30}
  local_admin: {agent_roles: [agent], allowed_accounts: [Administrator, laps]}
  security_agent: {names: ["Microsoft Defender*"], signatures_within_days: 7}
  screen_lock: {within_minutes: 15}
clients:
  northbank: {screen_lock: {within_minutes: 5}}
"""


def _write(path: Path, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def _device(rng: random.Random, i: int) -> list[Any]:
    """Return one Intune row; a few devices break one rule each."""
    roll = rng.random()
    day = NOW - timedelta(days=rng.randint(40, 90) if 0.05 < roll < 0.10 else rng.randint(1, 20))
    admins = "Administrator;laps" + (f";p{i}" if 0.10 < roll < 0.11 else "")
    return [f"LT-{i:06d}", f"p{i}@bpo.test", "Windows", "10.0.22631.4460",
            "False" if roll < 0.02 else "True",
            (NOW - timedelta(hours=rng.randint(1, 48))).strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"SN{i:08d}", "Home" if i % 4 == 3 else "Manila", day.date().isoformat(), admins,
            "Enabled", "False", "Off" if 0.02 < roll < 0.05 else "On", "5",
            "Blocked"]  # fmt: skip


def generate(root: Path, devices: int, seed: int) -> dict[str, int]:
    """Write the roster, the two exports and the policy; return their row counts."""
    rng = random.Random(seed)
    roster = [
        [f"E{100000 + i}", f"Person {i}", f"p{i}@bpo.test", "active", "2024-01-01", "",
         f"Team {i % 400:03d}", "agent" if i % 25 else "team_lead", CLIENTS[i % 3],
         f"E{100000 + (i // 25) * 25}", ""]
        for i in range(devices)
    ]  # fmt: skip
    rows = [_device(rng, i) for i in range(devices)]
    _write(root / "roster.csv", ROSTER, roster)
    _write(root / "intune.csv", INTUNE, rows)
    changed = [
        r if rng.random() > 0.05 else [*r[:12], "Off" if r[12] == "On" else "On", *r[13:]]
        for r in rows
    ]
    _write(root / "intune_next.csv", INTUNE, changed)
    (root / "policy.yaml").write_text(POLICY)
    return {"people": len(roster), "devices": len(rows)}


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


def engine(root: Path) -> dict[str, Any]:
    """Time the connector and the eight rules on every device, in this process."""
    from dataward.devices.engine.connectors.intune import read_intune
    from dataward.devices.engine.policy import load_policy
    from dataward.devices.engine.rules import RULES, Judging, judge

    start = time.perf_counter()
    devices = read_intune(root / "intune.csv").devices
    read = time.perf_counter() - start
    policy = load_policy(root / "policy.yaml")
    start = time.perf_counter()
    today = NOW.date()
    verdicts = 0
    for i, device in enumerate(devices):
        how = Judging(policy.rules(CLIENTS[i % 3], device.site), "agent", today)
        for check in RULES:
            judge(check, device, how)
            verdicts += 1
    judged = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  engine: read {read:.1f} s, judged {verdicts:,} verdicts in {judged:.1f} s",
          file=sys.stderr)  # fmt: skip
    return {"read_seconds": round(read, 2), "read_rows_per_s": round(len(devices) / read),
            "judge_seconds": round(judged, 2), "verdicts": verdicts,
            "verdicts_per_s": round(verdicts / judged), "peak_rss_mb": rss}  # fmt: skip


def main() -> None:
    """Generate, import, evaluate, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dw-devices-bench-"))
    root = args.keep or tmp
    root.mkdir(parents=True, exist_ok=True)
    ws = ["-w", str(root / "ws")]
    counts = generate(root, args.devices, args.seed)
    n = counts["devices"]
    print(f"devices bench: {counts}", file=sys.stderr)
    subprocess.run([str(BIN), "init", *ws], check=True, capture_output=True)
    for slug in CLIENTS:
        subprocess.run([str(BIN), "clients", "add", slug, "--name", slug.title(), *ws],
                       check=True, capture_output=True)  # fmt: skip
    intune, nxt = str(root / "intune.csv"), str(root / "intune_next.csv")
    steps = {
        "hr import": run("hr import", ["access", "import", "hr", str(root / "roster.csv"), *ws],
                         counts["people"]),
        "policy load": run("policy load", ["devices", "policy", "load", str(root / "policy.yaml"),
                           *ws]),
        "intune import": run("intune import", ["devices", "import", "intune", intune, *ws], n),
        "intune re-import (unchanged)": run("re-import", ["devices", "import", "intune", intune,
                                            *ws], n),
        "intune import (5 % changed: history)": run("changed import", ["devices", "import",
                                                    "intune", nxt, *ws], n),
    }  # fmt: skip
    with open("/dev/null", "w") as sink:
        steps["devices list --failing (every rule, every device)"] = run(
            "list --failing", ["devices", "list", "--failing", "-f", "jsonl", *ws], n, stdout=sink
        )
        steps["assess (all clients and the operation)"] = run(
            "assess", ["assess", "-f", "jsonl", *ws], stdout=sink
        )
    figures = {"estate": counts, "steps": steps, "engine": engine(root)}
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"devices bench: {n:,} devices, {counts['people']:,} people")
    for name, f in steps.items():
        rate = f", {f['rows_per_s']:,} rows/s" if "rows_per_s" in f else ""
        print(f"  {name:52} {f['seconds']:7.1f} s{rate}, peak RSS {f['peak_rss_mb']} MB")
    e = figures["engine"]
    print(f"  {'engine: read the export':52} {e['read_seconds']:7.1f} s, "
          f"{e['read_rows_per_s']:,} rows/s")  # fmt: skip
    print(f"  {'engine: 8 rules x every device':52} {e['judge_seconds']:7.1f} s, "
          f"{e['verdicts_per_s']:,} verdicts/s, peak RSS {e['peak_rss_mb']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
