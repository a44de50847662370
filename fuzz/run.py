"""Run every atheris harness for a bounded time (``make fuzz``); exit 1 if any found a crash.

Usage: ``python fuzz/run.py [--seconds N] [--only NAME ...]``. The demo estate and every
target's seed corpus are written once into a temporary folder, removed at the end; what a
harness finds (``crash-*``, ``timeout-*``, ``oom-*`` inputs) is copied to ``fuzz/findings/``
(not committed): reproduce one with ``python fuzz/fuzz_NAME.py INPUT``, fix it, and keep the
input as a regression case in ``fuzz/regressions/NAME/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import targets  # noqa: E402 - found next to this script


def main(argv: list[str] | None = None) -> int:
    """Run the harnesses one after another and report which found something."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="time per harness")
    parser.add_argument("--only", nargs="*", default=None, help="run only these targets")
    args = parser.parse_args(argv)
    names = args.only or sorted(targets.TARGETS)
    unknown = sorted(set(names) - set(targets.TARGETS))
    if unknown:
        parser.error(f"unknown target {unknown[0]}; known: {', '.join(sorted(targets.TARGETS))}")
    work = Path(tempfile.mkdtemp(prefix="dataward-fuzz-"))
    try:
        return _run_all(names, args.seconds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_all(names: list[str], seconds: int, work: Path) -> int:
    print(f"writing the seed corpus into {work}", file=sys.stderr)
    estate = targets.write_estate(work / "estate")
    targets.write_seeds(work / "corpus", names, estate)
    shutil.rmtree(estate)
    env = {**os.environ, "FUZZ_SEEDS": str(work / "corpus")}
    failed: list[str] = []
    for name in names:
        out = work / "artifacts" / name
        out.mkdir(parents=True)
        print(f"fuzzing {name} for {seconds} s", file=sys.stderr)
        command = [
            sys.executable, str(HERE / f"fuzz_{name}.py"), f"-max_total_time={seconds}",
            f"-artifact_prefix={out}/", "-print_final_stats=1",
        ]  # fmt: skip
        code = subprocess.run(command, env=env, check=False).returncode
        found = sorted(out.iterdir())
        if code != 0 or found:
            failed.append(name)
            keep = HERE / "findings" / name
            keep.mkdir(parents=True, exist_ok=True)
            for path in found:
                shutil.copy(path, keep / path.name)
            print(f"{name}: exit {code}, {len(found)} input(s) kept in {keep}", file=sys.stderr)
    if failed:
        print(f"fuzzing found problems in: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"fuzzing found nothing in {len(names)} harnesses", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
