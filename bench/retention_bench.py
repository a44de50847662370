"""Measure the retention engine: judging a large inventory, and hashing and disposing real files.

    .venv/bin/python bench/retention_bench.py [--locations 100000] [--files 2000] [--kb 256]

Prints how fast overdue() judges inventory locations against a policy, how fast planning hashes
files (MB/s, read without following symlinks), and how fast disposal removes them with each method.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dataward.retention.engine.dispose import Target, dispose, measure
from dataward.retention.engine.overdue import Hold, Holding, overdue
from dataward.retention.engine.policy import Rule

CATS = ("PII", "PCI", "PHI", "FINANCIAL", "CREDENTIALS")


def judge(count: int) -> None:
    """Time overdue() over synthetic holdings with a realistic policy and a few holds."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    rules = [Rule("acme", c, d) for c, d in zip(CATS, (365, 90, 2555, 2555, 30), strict=True)]
    rules += [Rule("acme", "PCI", 180, path="disputes/**"), Rule("*", "PCI", 0)]
    holds = [Hold("LH-0001", "Doe v Acme", "*/legal/*", "", now - timedelta(days=30))]
    holdings = [
        Holding(
            f"/shares/acme/{rng.choice(('exports', 'disputes', 'legal', 'team'))}/f{n}.csv",
            f"x/f{n}.csv", "file", tuple(rng.sample(CATS, rng.randint(1, 2))), rng.randint(1, 500),
            rng.randint(1000, 10**7), now - timedelta(days=rng.randint(0, 3000)),
        )
        for n in range(count)
    ]  # fmt: skip
    t0 = time.perf_counter()
    found = overdue(holdings, rules, "acme", now, holds)
    took = time.perf_counter() - t0
    held = sum(1 for o in found if o.held_by)
    print(f"overdue(): {count:,} locations in {took:.2f} s ({count / took:,.0f}/s); "
          f"{len(found):,} past retention, {held:,} under hold")  # fmt: skip


def files(count: int, kb: int) -> None:
    """Time measure() and dispose() on real files in a temporary folder."""
    root = Path(tempfile.mkdtemp(prefix="dw-retention-bench-"))
    try:
        blob = os.urandom(kb * 1024)
        for method in ("delete", "overwrite"):
            folder = root / method
            folder.mkdir()
            for n in range(count):
                (folder / f"f{n}.csv").write_bytes(blob)
            targets = [Target(str(folder), f"f{n}.csv") for n in range(count)]
            t0 = time.perf_counter()
            sums = [measure(t) for t in targets]
            hashing = time.perf_counter() - t0
            t0 = time.perf_counter()
            for t, (size, sha) in zip(targets, sums, strict=True):
                dispose(t, size, sha, method)
            took = time.perf_counter() - t0
            mb = count * kb / 1024
            print(f"{method}: planning hash {mb / hashing:,.0f} MB/s; disposal {count / took:,.0f} "
                  f"files/s ({mb / took:,.0f} MB/s, re-hash included)")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locations", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--kb", type=int, default=256)
    args = parser.parse_args()
    judge(args.locations)
    files(args.files, args.kb)


if __name__ == "__main__":
    main()
