"""Scan the demo estate's shares and compare the discovery checks' failures with the manifest."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "discovery_"


def scan_estate(ctx: Any) -> None:
    """Scan each client's share folder of the estate, as `dataward scan --client` would."""
    from dataward.core.models import Client
    from dataward.discovery.engine.scanner import ScanOptions
    from dataward.discovery.report import inventory_rows, regions
    from dataward.discovery.scan import ScanRequest, run_scan

    table = Table(title="Data inventory (dataward inventory --client SLUG)", title_justify="left")
    for name in ("client", "locations", "findings", "by category"):
        table.add_column(name)
    for slug in ctx.manifest["clients"]:
        share = ctx.estate / "shares" / slug
        client = Client.objects.get(slug=slug)
        if not share.is_dir():
            continue
        opts = ScanOptions(regions=regions(client))
        run_scan(ctx.ws, client, ScanRequest([str(share)], jobs=1, options=opts, progress=False))
        rows = inventory_rows(ctx.ws, client)
        cats: Counter[str] = Counter()
        for row in rows:
            cats[row["category"]] += row["count"]
        table.add_row(
            slug,
            str(len({r["location"] for r in rows})),
            str(sum(cats.values())),
            ", ".join(f"{c} {n}" for c, n in sorted(cats.items())),
        )
    ctx.console.print(table)


def _matches(problem: dict[str, Any], check_id: str, subject: str, evidence: list[Any]) -> bool:
    expect = problem.get("expect", {})
    if check_id not in {expect.get("check"), *expect.get("also", [])}:
        return False
    paths = {problem["where"]["path"], expect.get("subject") or ""} - {""}
    named = {subject, *(str(v) for e in evidence if isinstance(e, dict) for v in e.values())}
    return any(n.endswith("/" + p) or n == p for n in named for p in paths)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the discovery checks raised: planted problems found, anything else alarmed."""
    from dataward.demo.run import latest_failures

    planted = ctx.manifest["planted"]
    found: set[str] = set()
    alarms: set[str] = set()
    estate = str(ctx.estate).rstrip("/") + "/"
    for client, res in latest_failures(CHECK_PREFIX):
        hits = [p for p in planted if _matches(p, res.check_id, res.subject, res.evidence)]
        found |= {p["id"] for p in hits if p["area"] == "discovery"}
        if not hits:
            alarms.add(f"{client.slug}: {res.check_id} on {res.subject.removeprefix(estate)}")
    return [AreaOutcome("discovery", tuple(sorted(found)), tuple(sorted(alarms)))]
