"""Measure the distributed scan: one process, the local pool and a 2-worker Dask LocalCluster.

Run with `.venv/bin/python bench/scale_bench.py [--mb 20] [--tiny-files 2000] [--workers 2]`.
It writes three corpora with the project's own generators — many tiny files (cost per file), a
few large files (cost per byte) and a realistic mixed share (10 % of files PII-dense) — and times
the real `dataward scan` command (storing findings in SQLite) with `-j 1`, `-j N` (the local
process pool) and `--workers N` (a Dask LocalCluster the command starts), plus each mode on an
empty folder (the fixed cost: start-up, and for Dask the cluster's start and stop). From those it
fits wall = fixed + per_file * files + per_mb * MB for each mode and prints the speed-ups and the
distributed path's overhead per file. Figures go to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "dataward"


def _dw(ws: Path, *args: str) -> float:
    """Run one dataward command; return its wall seconds (fails loudly on an error)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIN), "-w", str(ws), *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"dataward {' '.join(args[:1])} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return wall


def _workspace(tmp: Path, name: str) -> Path:
    ws = tmp / name
    _dw(ws, "init")
    _dw(ws, "clients", "add", "bench", "--name", "Bench")
    return ws


def _tiny(folder: Path, files: int, seed: int) -> None:
    """Write many small plain notes (a few hundred bytes), one in ten with a planted value."""
    from dataward.demo.engine.corpus import make_doc, make_plain_doc

    for index in range(files):
        doc = make_doc(index, seed, 1) if index % 10 == 0 else make_plain_doc(index, seed, 1)
        sub = folder / f"d{index // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"n{index:06d}.txt").write_text(doc.text[:400], encoding="utf-8")


def _large(folder: Path, mb: float, source: Path) -> None:
    """Write files of about 1 MB each from the mixed corpus's plain text."""
    texts = sorted(p for ext in ("txt", "log") for p in source.rglob(f"*.{ext}"))[:300]
    block = "\n".join(p.read_text(errors="replace") for p in texts).encode()
    folder.mkdir(parents=True)
    for index in range(max(1, int(mb))):
        data = (block * (1 + 1_000_000 // max(1, len(block))))[:1_000_000]
        (folder / f"big{index:03d}.log").write_bytes(data)


def _measure(tmp: Path, corpora: dict[str, Path], modes: dict[str, list[str]]) -> dict[str, float]:
    walls: dict[str, float] = {}
    for mode, flags in modes.items():
        for name, folder in corpora.items():
            ws = _workspace(tmp, f"ws-{mode}-{name}")
            walls[f"{mode}:{name}"] = _dw(ws, "scan", str(folder), "--client", "bench", *flags)
    return walls


def _size(folder: Path) -> tuple[int, float]:
    found = [p for p in folder.rglob("*") if p.is_file()]
    return len(found), sum(p.stat().st_size for p in found) / 1e6


def main() -> None:
    """Write the corpora, run every mode and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the mixed and large sets")
    parser.add_argument("--tiny-files", type=int, default=2000, help="files in the tiny set")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    from dataward.demo.engine.corpus import write_corpus

    n = args.workers
    modes = {"one": ["-j", "1"], "pool": ["-j", str(n)], "dask": ["--workers", str(n)]}
    with tempfile.TemporaryDirectory(prefix="dw-scale-bench-") as name:
        tmp = Path(name)
        corpora = {k: tmp / k for k in ("empty", "tiny", "large", "mixed")}
        corpora["empty"].mkdir()
        write_corpus(corpora["mixed"], total_bytes=int(args.mb * 1e6), seed=args.seed,
                     sensitive_share=0.1)  # fmt: skip
        _tiny(corpora["tiny"], args.tiny_files, args.seed)
        _large(corpora["large"], args.mb, corpora["mixed"])
        sizes = {k: _size(v) for k, v in corpora.items()}
        walls = _measure(tmp, corpora, modes)
    figures: dict[str, float] = {}
    for mode in modes:
        fixed = walls[f"{mode}:empty"]
        files, _ = sizes["tiny"]
        _, mb = sizes["large"]
        per_file = max(0.0, walls[f"{mode}:tiny"] - fixed) / files
        per_mb = max(0.0, walls[f"{mode}:large"] - fixed - per_file * sizes["large"][0]) / mb
        figures.update({f"{mode}_fixed_s": fixed, f"{mode}_ms_per_file": 1000 * per_file,
                        f"{mode}_s_per_mb": per_mb})  # fmt: skip
        for corpus in ("tiny", "large", "mixed"):
            figures[f"{mode}_{corpus}_s"] = walls[f"{mode}:{corpus}"]
    figures["dask_overhead_ms_per_file"] = figures["dask_ms_per_file"] - figures["pool_ms_per_file"]
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
        return
    print(f"workers: {n} (cores: {os.cpu_count()}); SQLite store; wall seconds of `dataward scan`")
    for corpus in ("tiny", "large", "mixed"):
        files, mb = sizes[corpus]
        one = figures[f"one_{corpus}_s"]
        took = {mode: figures[f"{mode}_{corpus}_s"] for mode in modes}
        row = ", ".join(f"{mode} {s:.1f} s (x{one / s:.2f})" for mode, s in took.items())
        print(f"{corpus:>5}: {files:,} files, {mb:.1f} MB: {row}")
    for mode in modes:
        print(
            f"{mode:>5} cost model: {figures[f'{mode}_fixed_s']:.2f} s fixed + "
            f"{figures[f'{mode}_ms_per_file']:.2f} ms per file + "
            f"{figures[f'{mode}_s_per_mb']:.3f} s per MB"
        )
    print(
        "distributed overhead over the local pool: "
        f"{figures['dask_overhead_ms_per_file']:+.2f} ms per file, "
        f"{figures['dask_fixed_s'] - figures['pool_fixed_s']:+.2f} s fixed (cluster start/stop)"
    )


if __name__ == "__main__":
    main()
