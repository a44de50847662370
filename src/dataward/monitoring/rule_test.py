"""Run rules over a sample log file in memory: what each rule would raise, by line number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.monitoring import context, store
from dataward.monitoring.engine import ingest as parse
from dataward.monitoring.engine.detect import Evaluator, StoredEvent, correlate, episodes
from dataward.monitoring.engine.rules import RuleSet
from dataward.output import err


def run(
    ws: Workspace,
    rules: RuleSet,
    path: Path,
    mapping: str,
    client: str | None,
    only: Sequence[Path] = (),
) -> list[dict[str, Any]]:
    """Return one row per alert the rules would raise over the file (nothing is stored)."""
    owner = store.operation_or(ws, client)
    ws.require(Action.VIEW, None if owner.is_operation else owner.slug)
    spec = parse.load_mapping(mapping)
    events: list[StoredEvent] = []
    malformed = 0
    lines: dict[int, int] = {}
    with path.open("rb") as fh:
        for rec in parse.read_events(fh, spec, now=ws.clock()):
            if isinstance(rec, parse.Malformed):
                malformed += 1
                continue
            n = len(events) + 1
            lines[n] = rec.line
            events.append(
                StoredEvent(
                    n,
                    rec.ts,
                    rec.client or owner.slug,
                    "test",
                    spec.product,
                    spec.service,
                    rec.line,
                    rec.fields,
                )  # fmt: skip
            )
    if malformed:
        err.print(f"{path}: {malformed} malformed lines skipped")
    evaluator = Evaluator(rules.rules, context.enricher(ws), rules.correlations)
    matches = list(evaluator.run(events))
    windows = {r.key: timedelta(hours=r.dedup_hours) for r in rules.rules}
    wanted = {str(p.resolve()) for p in only}
    keep = {r.key for r in rules.rules if not wanted or str(Path(r.origin).resolve()) in wanted}
    keep |= {
        c.key for c in rules.correlations if not wanted or str(Path(c.origin).resolve()) in wanted
    }
    rows = [_row(ep, "rule", lines) for ep in episodes([m for m in matches if not m.via], windows)]
    for corr in rules.correlations:
        feed = [m for m in matches if m.via == corr.key]
        rows += [_row(ep, f"correlation {corr.kind}", lines) for ep in correlate(corr, feed)]
    return sorted((r for r in rows if r["rule"] in keep), key=lambda r: (r["first"], r["rule"]))


def _row(ep: Any, kind: str, lines: dict[int, int]) -> dict[str, Any]:
    """Return an episode as a row: who, how many events, which lines."""
    numbers = sorted(lines[e] for e in ep.events)
    return {
        "rule": ep.rule,
        "kind": kind,
        "group": " | ".join(ep.group),
        "events": ep.count,
        "lines": _spans(numbers),
        "first": ep.first.isoformat(),
        "last": ep.last.isoformat(),
    }


def _spans(numbers: list[int]) -> str:
    """Return line numbers as ranges: 3-5, 9."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] + 1 >= n:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)
