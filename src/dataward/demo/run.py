"""Run the demo: generate the estate, import it, assess every client, verify the oracle."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

from rich.console import Console

from dataward.core.workspace import Workspace
from dataward.demo.oracle import AreaOutcome, compare
from dataward.plugins import hook

ESTATE_DIR = "estate"


@dataclass
class DemoContext:
    """What each package's demo hooks receive: the workspace, the estate and its manifest."""

    ws: Workspace
    estate: Path
    manifest: dict[str, Any]
    console: Console


def generate_estate(estate: Path, seed: int, as_of: date | None) -> dict[str, Any]:
    """Write the synthetic estate and return its manifest."""
    from dataward.demo.engine import generate

    return generate(estate, seed=seed, as_of=as_of)


def estate_clock(as_of: date) -> Callable[[], datetime]:
    """Return a clock that starts at midnight UTC of ``as_of`` and runs on from there.

    The estate's dates are relative to that midnight, so a demo --as-of a past day judges
    leavers, dormancy and file ages exactly as it would have on that day.
    """
    start = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
    began = monotonic()
    return lambda: start + timedelta(seconds=monotonic() - began)


def import_estate(ctx: DemoContext) -> None:
    """Let every installed package import the parts of the estate it understands."""
    hook().demo_import(ctx=ctx)


def assess_all(ws: Workspace) -> list[dict[str, Any]]:
    """Assess the operation and every client, returning one row per result."""
    from dataward.controls import store
    from dataward.core.models import Client

    rows = []
    # The operation first: its results (privileged MFA, audit chain) count in client posture.
    for client in Client.objects.order_by("-kind", "slug"):
        _, outcomes = store.assess(ws, client)
        rows += [
            {
                "client": client.slug,
                "check": o.check_id,
                "status": o.status.value,
                "summary": o.summary,
            }
            for o in outcomes
        ]
    return rows


def finish(ctx: DemoContext) -> None:
    """Let every installed package finish the demo (the reports package writes the reports)."""
    hook().demo_finish(ctx=ctx)


def latest_failures(prefix: str) -> Iterator[tuple[Any, Any]]:
    """Yield (client, failed result) of each client's latest assessment, for checks ``prefix*``."""
    from dataward.controls.models import Assessment, CheckResult
    from dataward.core.models import Client

    for client in Client.objects.order_by("kind", "slug"):
        latest = Assessment.objects.for_client(client).order_by("-started_at", "-id").first()
        if latest is None:
            continue
        failed = CheckResult.objects.for_client(client).filter(
            assessment=latest, status="fail", check_id__startswith=prefix
        )
        for result in failed:
            yield client, result


def area_outcome(
    area: str,
    prefix: str,
    planted: list[dict[str, Any]],
    matches: Callable[[dict[str, Any], Any, Any], bool],
    shown: Callable[[str], str] = str,
) -> AreaOutcome:
    """Compare the latest failures of checks ``prefix*`` with an area's planted problems.

    ``matches(problem, client, result)`` says whether a failure is that planted problem; a
    failure that is none of them is a false alarm, named by client, check and ``shown`` subject.
    """
    found: set[str] = set()
    alarms: set[str] = set()
    for client, res in latest_failures(prefix):
        hits = [p for p in planted if matches(p, client, res)]
        found |= {p["id"] for p in hits}
        if not hits:
            alarms.add(f"{client.slug}: {res.check_id} on {shown(res.subject)}")
    return AreaOutcome(area, tuple(sorted(found)), tuple(sorted(alarms)))


def by_check_and_subject(problem: dict[str, Any], client: Any, res: Any) -> bool:
    """The usual matcher: the failure's check and subject are the planted problem's."""
    return same_check_and_subject(problem, res.check_id, res.subject)


def same_check_and_subject(problem: dict[str, Any], check_id: str, subject: str) -> bool:
    """Return whether a failure is the planted problem: its check (or an also-check), subject."""
    expect = problem.get("expect", {})
    checks = {expect.get("check"), *expect.get("also", [])}
    return check_id in checks and subject == expect.get("subject")


def verify(ctx: DemoContext) -> dict[str, Any]:
    """Compare what the installed packages raised with the manifest."""
    outcomes: list[AreaOutcome] = [o for batch in hook().demo_verify(ctx=ctx) for o in batch]
    return compare(ctx.manifest, outcomes)


def summary_rows(manifest: dict[str, Any], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summarise per client: what it entrusts, the estate's files, planted problems, checks."""
    from dataward.core.models import Client

    files = Counter(f["client"] for f in manifest["files"] if f.get("client"))
    planted: dict[str, Counter[str]] = {}
    for item in manifest["planted"]:
        planted.setdefault(item.get("client") or "operation", Counter())[item["area"]] += 1
    rows = []
    for client in Client.objects.order_by("kind", "slug"):
        statuses = Counter(r["status"] for r in results if r["client"] == client.slug)
        rows.append(
            {
                "client": client.slug,
                "name": client.name,
                "data": ", ".join(client.data_categories) or "-",
                "frameworks": ", ".join(client.frameworks) or "-",
                "files": files.get(client.slug, 0),
                "planted": ", ".join(
                    f"{a} {n}" for a, n in sorted(planted.get(client.slug, {}).items())
                )
                or "-",
                "checks": " ".join(
                    f"{s} {statuses[s]}"
                    for s in ("pass", "fail", "warning", "error")
                    if statuses[s]
                )
                or "-",
            }
        )
    return rows


def verify_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn the verification report into one table row per area."""
    return [
        {
            "area": area,
            "package": "built" if a["built"] else "not built yet",
            "planted": a["planted"],
            "found": a["found"],
            "missed": ", ".join(a["missed"]) or "-",
            "false_alarms": ", ".join(a["false_alarms"]) or "-",
        }
        for area, a in report["areas"].items()
    ]
