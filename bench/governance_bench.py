"""Measure the governance registers: risk sync after assessments, register import, reminders.

Run with `.venv/bin/python bench/governance_bench.py [--clients 50] [--checks 200]
[--fail-share 0.3] [--subjects 20] [--register-rows 10000] [--json]`. In a throwaway SQLite
workspace it:

* syncs the register with synthetic assessments of --clients clients, each with --checks check
  outcomes (--fail-share of them failing on up to --subjects subjects), three rounds: the first
  raises the risks, the second changes nothing (the steady state of a daily assessment), the
  third has half the failures fixed (updates and proposals for closure); per round it prints
  milliseconds per client assessment and risks touched;
* imports a --register-rows row register CSV (every column mapped), then imports it again
  unchanged (rows/s both times);
* gathers every dated obligation for `dataward remind` and builds the heat map (seconds).

Figures go to stdout (or one JSON object with --json), progress to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEVERITIES = ("low", "medium", "high", "critical")


def _outcomes(rng: random.Random, checks: int, share: float, subjects: int, fixed: float) -> list:  # type: ignore[type-arg]
    from dataward.controls.engine.registry import Status
    from dataward.controls.engine.runner import Outcome

    out = []
    for i in range(checks):
        check_id = f"bench_check_{i:03d}"
        failing = rng.random() < share and rng.random() >= fixed
        count = rng.randint(1, subjects) if failing else 1
        for s in range(count):
            status = Status.FAIL if failing else Status.PASS
            out.append(
                Outcome(check_id, f"Bench check {i}", SEVERITIES[i % 4], status, f"s{s}", "")
            )
    return out


def bench_sync(ws: Any, clients: list[Any], args: argparse.Namespace) -> dict[str, Any]:
    """Run three rounds of register sync over every client."""
    from dataward.risks.models import Risk, RiskEvent
    from dataward.risks.sync import on_assessment

    figures: dict[str, Any] = {}
    for name, fixed in (("raise", 0.0), ("steady", 0.0), ("half_fixed", 0.5)):
        events_before = RiskEvent.objects.unscoped("bench").count()
        start = time.perf_counter()
        for n, client in enumerate(clients):
            rng = random.Random(n)  # same failures per client each round
            on_assessment(
                ws, client, n, _outcomes(rng, args.checks, args.fail_share, args.subjects, fixed)
            )
        took = time.perf_counter() - start
        touched = RiskEvent.objects.unscoped("bench").count() - events_before
        figures[name] = {
            "seconds": round(took, 3),
            "ms_per_assessment": round(1000 * took / len(clients), 1),
            "risk_changes": touched,
        }
        print(f"  sync {name}: {took:.2f} s, {1000 * took / len(clients):.1f} ms per client "
              f"assessment, {touched} risk changes", file=sys.stderr)  # fmt: skip
    figures["risks"] = Risk.objects.unscoped("bench").count()
    return figures


def _register(path: Path, rows: int) -> None:
    rng = random.Random(7)
    words = ("rare", "unlikely", "possible", "likely", "almost certain")
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Risk ID", "Risk", "Category", "Likelihood", "Impact", "Owner", "Response",
                      "Action plan", "Target date", "Status"])  # fmt: skip
        for i in range(rows):
            out.writerow([f"R-{i:06d}", f"Risk number {i} of the bench register",
                          rng.choice(("Audit", "Contractual", "Regulatory", "Client trust")),
                          rng.choice(words), rng.randint(1, 5), f"owner{i % 40}", "Mitigate",
                          "A plan", f"2027-0{rng.randint(1, 9)}-15", "Open"])  # fmt: skip


def bench_import(ws: Any, root: Path, rows: int) -> dict[str, Any]:
    """Import a large register twice."""
    from dataward.risks import importer

    path = root / "register.csv"
    _register(path, rows)
    figures = {}
    for name in ("first", "unchanged"):
        start = time.perf_counter()
        summary = importer.run(ws, path, None)
        took = time.perf_counter() - start
        figures[name] = {"seconds": round(took, 3), "rows_per_s": round(rows / took), **summary}
        print(f"  import {name}: {took:.2f} s ({rows / took:,.0f} rows/s)", file=sys.stderr)
    return figures


def bench_reminders(ws: Any) -> dict[str, Any]:
    """Gather every obligation and draw the heat map."""
    from dataward.core import reminders
    from dataward.risks import service

    start = time.perf_counter()
    rows = reminders.gather(ws, ws.clock().date(), everything=True)
    gather = time.perf_counter() - start
    start = time.perf_counter()
    cells = service.heat_map(ws, None)
    heat = time.perf_counter() - start
    print(f"  remind: {len(rows)} obligations in {gather:.2f} s; heat map {heat:.2f} s",
          file=sys.stderr)  # fmt: skip
    return {
        "obligations": len(rows),
        "gather_seconds": round(gather, 3),
        "heat_map_seconds": round(heat, 3),
        "heat_map_risks": sum(c.count for c in cells),
    }


def main() -> None:
    """Parse options, run each part, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--fail-share", type=float, default=0.3)
    parser.add_argument("--subjects", type=int, default=20)
    parser.add_argument("--register-rows", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from dataward.core.engine.clients import ClientSpec
    from dataward.core.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws", env={})
        now = datetime(2026, 11, 28, 9, tzinfo=UTC)
        ws.clock = lambda: now  # type: ignore[method-assign]
        from dataward.core import clients as client_service
        from dataward.core.clients import ensure_operation

        made = [ensure_operation(ws)]
        for i in range(args.clients - 1):
            made.append(client_service.add(ws, ClientSpec(f"client{i:03d}", f"Client {i}"))[0])
        print(f"governance bench: {args.clients} clients x {args.checks} checks", file=sys.stderr)
        figures = {
            "clients": args.clients,
            "checks": args.checks,
            "sync": bench_sync(ws, made, args),
            "import": bench_import(ws, Path(tmp), args.register_rows),
        }
        ws.clock = lambda: now + timedelta(days=1)  # type: ignore[method-assign]
        figures["reminders"] = bench_reminders(ws)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    s = figures["sync"]
    print(f"risk sync, {args.clients} clients x {args.checks} checks:")
    for name in ("raise", "steady", "half_fixed"):
        print(f"  {name:10} {s[name]['ms_per_assessment']:8.1f} ms per client assessment, "
              f"{s[name]['risk_changes']} risk changes")  # fmt: skip
    print(f"  risks in the register: {s['risks']}")
    for name, f in figures["import"].items():
        print(f"register import ({name}): {f['rows']} rows in {f['seconds']} s, "
              f"{f['rows_per_s']:,} rows/s")  # fmt: skip
    r = figures["reminders"]
    print(f"remind gather: {r['obligations']} obligations in {r['gather_seconds']} s; "
          f"heat map of {r['heat_map_risks']} risks in {r['heat_map_seconds']} s")  # fmt: skip


if __name__ == "__main__":
    main()
