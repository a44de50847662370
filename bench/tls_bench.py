"""Measure TLS checks: sslyze over N loopback endpoints, and judging M stored results.

Run with `.venv/bin/python bench/tls_bench.py [--endpoints 10] [--results 2000] [--sslyze PATH]
[--json]`. It starts --endpoints TLS servers on 127.0.0.1 (the good configuration of the tests:
TLS 1.2+, ECDHE with AES-GCM, HSTS, a certificate from a throwaway test CA), registers them for a
client in a throwaway workspace and times the real `dataward tls check --client` (sslyze in its
own process, all endpoints in one run). Then it stores --results results (copies of those facts
under distinct endpoints) and times the pure judge over them in process, and `dataward assess
--client` (which judges every stored result and never connects). sslyze is found as dataward
finds it (--sslyze, DATAWARD_SSLYZE, .venv-sslyze, PATH).
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent / "dataward"


def _cli(
    ws: Path, *args: str, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN), "-w", str(ws), *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return time.perf_counter() - start, done


def _store_copies(ws: Path, count: int) -> float:
    """Store ``count`` endpoints with a result each, copied from a real one; return judge time."""
    from dataward.core.workspace import open_workspace
    from dataward.encryption.engine.profile import intermediate
    from dataward.encryption.engine.tls_facts import from_dict, to_dict
    from dataward.encryption.engine.tls_judge import judge

    w = open_workspace(ws, env={})  # configures Django: models can be imported from here on
    from dataward.core.models import Client
    from dataward.encryption.models import TlsEndpoint, TlsScan

    client = Client.objects.get(slug="bench")
    model = TlsScan.objects.for_client(client).order_by("-id").first()
    assert model is not None
    now = datetime.now(UTC)
    endpoints = [
        TlsEndpoint(client=client, host=f"h{i}.bench.test", port=443, protocol="https",
                    added_by=w.actor.name, added_at=now)
        for i in range(count)
    ]  # fmt: skip
    TlsEndpoint.objects.bulk_create(endpoints, batch_size=1000)
    facts = [{**model.facts, "host": e.host, "port": 443} for e in endpoints]
    TlsScan.objects.bulk_create(
        [
            TlsScan(client=client, host=e.host, port=443, checked_at=now, actor="bench",
                    verdict=model.verdict, findings=model.findings, facts=f,
                    profile=model.profile)
            for e, f in zip(endpoints, facts, strict=True)
        ],
        batch_size=1000,
    )  # fmt: skip
    parsed = [from_dict(f) for f in facts]
    start = time.perf_counter()
    for item in parsed:
        judge(item, intermediate(), now, https=True)
    elapsed = time.perf_counter() - start
    assert to_dict(parsed[0])["host"] == "h0.bench.test"
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--sslyze", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from dataward.encryption import runner
    from encryption.tls_servers import CONFIGS, TlsServer, context, make_pki

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    sslyze = runner.locate(args.sslyze, os.environ)
    env["DATAWARD_SSLYZE"] = sslyze[0] if sslyze[1:2] != ["-m"] else str(Path(sslyze[0]).parents[1])
    tmp = Path(tempfile.mkdtemp(prefix="dw-tls-bench-"))
    figures: dict[str, Any] = {"endpoints": args.endpoints, "results": args.results}
    try:
        ws = tmp / "ws"
        pki = make_pki(tmp / "pki")
        _cli(ws, "init", env=env)
        _cli(ws, "clients", "add", "bench", "--name", "Bench", env=env)
        servers = [TlsServer(context(pki, CONFIGS["good"]), CONFIGS["good"]).start()
                   for _ in range(args.endpoints)]  # fmt: skip
        try:
            listing = tmp / "endpoints.csv"
            rows = "".join(f"127.0.0.1,{s.port},bench,https\n" for s in servers)
            listing.write_text("host,port,purpose,protocol\n" + rows)
            _cli(ws, "tls", "endpoints", "import", str(listing), "--client", "bench", env=env)
            print(f"checking {args.endpoints} loopback endpoints with sslyze...", file=sys.stderr)
            took, done = _cli(ws, "tls", "check", "--client", "bench", "--ca-file",
                              str(pki.ca_file), "-f", "json", env=env)  # fmt: skip
        finally:
            for s in servers:
                s.stop()
        verdicts = [r["verdict"] for r in json.loads(done.stdout)]
        figures.update(
            check_seconds=round(took, 2),
            check_seconds_per_endpoint=round(took / max(1, args.endpoints), 3),
            verdicts=sorted(set(verdicts)),
        )
        took, _ = _cli(ws, "assess", "--client", "bench", "-f", "json", env=env)
        figures["assess_seconds_before"] = round(took, 2)
        print(f"storing {args.results} results and judging them...", file=sys.stderr)
        judged = _store_copies(ws, args.results)
        figures["judge_ms_per_result"] = round(judged * 1000 / max(1, args.results), 3)
        took, _ = _cli(ws, "assess", "--client", "bench", "-f", "json", env=env)
        figures["assess_seconds"] = round(took, 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"tls check of {args.endpoints} loopback endpoints: {figures['check_seconds']} s "
          f"({figures['check_seconds_per_endpoint']} s per endpoint), verdicts "
          f"{', '.join(figures['verdicts'])}")  # fmt: skip
    print(f"judge {args.results} stored results in process: "
          f"{figures['judge_ms_per_result']} ms per result")  # fmt: skip
    print(f"dataward assess --client bench ({args.results + args.endpoints} endpoints with "
          f"results): {figures['assess_seconds']} s; with {args.endpoints}: "
          f"{figures['assess_seconds_before']} s")  # fmt: skip


if __name__ == "__main__":
    main()
