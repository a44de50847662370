"""Measure the scanner end to end: MB/s and files/s on one core and all cores, rescans, memory.

Run with `.venv/bin/python bench/scan_bench.py [--mb 200] [--big-mb 0]`. It writes a corpus of
about --mb megabytes with the project's own labeled-document generator, creates a throwaway
workspace, and times `dataward scan` (the real command, storing findings in SQLite) with
--jobs 1, with every core, and again unchanged (incremental rescan). With --big-mb N it also
scans one N-megabyte text file and reports the scan's peak memory. Figures go to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "dataward"


def _run(ws: Path, *args: str) -> tuple[float, int, str]:
    """Run a dataward command; return wall seconds, its peak RSS in MB (with workers), stderr."""
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(BIN), "-w", str(ws), *args], stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    if proc.returncode != 0:
        sys.exit(f"scan failed: {text.strip().splitlines()[-1:]}")
    return wall, usage.ru_maxrss // 1024, text


def _workspace(tmp: Path, name: str) -> Path:
    ws = tmp / name
    subprocess.run([str(BIN), "init", "-w", str(ws)], check=True, capture_output=True)
    subprocess.run(
        [str(BIN), "-w", str(ws), "clients", "add", "bench", "--name", "Bench"],
        check=True,
        capture_output=True,
    )
    return ws


def _scan(ws: Path, target: Path, jobs: int) -> tuple[float, int]:
    wall, rss, _ = _run(ws, "scan", str(target), "--client", "bench", "-j", str(jobs))
    return wall, rss


def main() -> None:
    """Generate the corpus, run the scans and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size in MB")
    parser.add_argument("--big-mb", type=int, default=0, help="also scan one file of this size")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--sensitive-share",
        type=float,
        default=1.0,
        help="share of files that are labeled, PII-dense documents; the rest are plain logs and "
        "notes full of look-alikes (1.0: every file dense, the worst case)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    from dataward.demo.engine.corpus import write_corpus

    cores = os.cpu_count() or 1
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dw-scan-bench-") as name:
        tmp = Path(name)
        corpus = tmp / "corpus"
        stats = write_corpus(
            corpus,
            total_bytes=int(args.mb * 1e6),
            seed=args.seed,
            sensitive_share=args.sensitive_share,
        )
        size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        figures.update(corpus_mb=size / 1e6, corpus_files=files)
        for label, jobs in (("one_core", 1), ("all_cores", cores)):
            ws = _workspace(tmp, f"ws-{label}")
            wall, rss = _scan(ws, corpus, jobs)
            figures[f"{label}_mb_s"] = size / 1e6 / wall
            figures[f"{label}_files_s"] = files / wall
            figures[f"{label}_peak_rss_mb"] = rss
            if label == "all_cores":
                again, _ = _scan(ws, corpus, jobs)
                figures["rescan_share_of_first"] = again / wall
            shutil.rmtree(ws)
        if args.big_mb:
            big = tmp / "big" / "big.txt"
            big.parent.mkdir()
            texts = sorted(p for ext in ("txt", "log") for p in corpus.rglob(f"*.{ext}"))[:200]
            block = "\n".join(p.read_text(errors="replace") for p in texts).encode()
            with big.open("wb") as fh:
                for _ in range(max(1, args.big_mb * 1_000_000 // max(len(block), 1))):
                    fh.write(block)
            ws = _workspace(tmp, "ws-big")
            wall, rss = _scan(ws, big.parent, 1)
            figures["big_file_mb"] = big.stat().st_size / 1e6
            figures["big_file_mb_s"] = big.stat().st_size / 1e6 / wall
            figures["big_file_peak_rss_mb"] = rss
    del stats
    if args.json:
        print(json.dumps({k: round(v, 3) for k, v in figures.items()}))
        return
    print(
        f"corpus: {figures['corpus_mb']:.1f} MB in {figures['corpus_files']:.0f} files, "
        f"{100 * args.sensitive_share:.0f} % of them PII-dense"
    )
    for label in ("one_core", "all_cores"):
        print(
            f"{label.replace('_', ' ')}: {figures[f'{label}_mb_s']:.2f} MB/s, "
            f"{figures[f'{label}_files_s']:.1f} files/s, "
            f"peak RSS {figures[f'{label}_peak_rss_mb']:.0f} MB (largest process)"
        )
    print(f"cores: {cores}; speed-up {figures['all_cores_mb_s'] / figures['one_core_mb_s']:.2f}x")
    print(f"unchanged rescan: {100 * figures['rescan_share_of_first']:.1f} % of the first scan")
    if "big_file_mb" in figures:
        print(
            f"one {figures['big_file_mb']:.0f} MB file: {figures['big_file_mb_s']:.2f} MB/s, "
            f"peak RSS {figures['big_file_peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
